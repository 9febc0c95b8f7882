#!/bin/sh
# C unit tests of lib/norm.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-norm"
