#!/bin/sh
# C unit tests of lib/similar.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-similar"
