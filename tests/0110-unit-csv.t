#!/bin/sh
# C unit tests of lib/csv.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-csv"
