import { strykerConfig } from '../../stryker.base.mjs';

// The mappings from processor events to Kard events and the webhook checks: a wrong status, amount
// sign or id here sends issuers' cardholders the wrong rewards.
export default strykerConfig(['src/**/*.ts']);
