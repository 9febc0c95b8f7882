#!/bin/sh
# C unit tests of lib/enc.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-enc"
