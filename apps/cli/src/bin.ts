#!/usr/bin/env node
console.log('@kardkit/cli');
