#!/bin/sh
# C unit tests of lib/svg.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-svg"
