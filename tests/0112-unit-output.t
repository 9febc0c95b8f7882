#!/bin/sh
# C unit tests of lib/output.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-output"
