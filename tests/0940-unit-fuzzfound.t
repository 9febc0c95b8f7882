#!/bin/sh
# Regression tests of what the fuzz targets found (tests/fuzz).
exec "${CRM_BUILD:-$(dirname "$0")/../build}/tests/test-fuzzfound"
