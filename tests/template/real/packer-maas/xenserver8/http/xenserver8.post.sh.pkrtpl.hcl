#!/bin/bash

shutdown 0
