#!/bin/sh
# C unit tests of lib/db.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-db"
