#!/bin/sh
# C unit tests of lib/custlist.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-custlist"
