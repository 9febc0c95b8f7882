#!/bin/sh
# C unit tests of lib/rules.c and lib/customer.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-rules"
