#!/usr/bin/env node
console.log('@kardkit/mock-server');
