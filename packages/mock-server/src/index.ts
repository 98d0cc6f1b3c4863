export const packageName = '@kardkit/mock-server';
