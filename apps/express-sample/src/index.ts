export const packageName = '@kardkit/express-sample';
