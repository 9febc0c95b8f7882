#!/bin/sh
# C unit tests of lib/segment.c
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-segment"
