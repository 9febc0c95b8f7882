#!/bin/sh
# C unit tests of lib/mime.c, lib/template.c and unsubscribe tokens
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-mime"
