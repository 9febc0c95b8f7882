#!/bin/sh
# C unit tests of lib/date.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-date"
