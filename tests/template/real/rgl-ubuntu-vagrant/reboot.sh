#!/bin/bash
set -euxo pipefail

reboot --force
