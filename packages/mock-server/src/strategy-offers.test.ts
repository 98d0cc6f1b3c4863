import { describe, expect, it } from 'vitest';
import type { Placement } from './core.js';
import { resolveStrategyOffers } from './routes/organizations.js';
import { mockCore } from './test-support.js';

// Which fixture offers a placement shows under its content strategy: the category filter and
// exclusions, merchant exclusions (any case), each sort, and the slot count (R89–R105 as the mock
// implements them; the fixtures are src/fixtures.ts).
function shown(
  filters: { categories?: string[]; categoryExclusions?: string[]; merchantExclusions?: string[] } | null,
  sort?: string,
  placement: Record<string, unknown> = { availableSlots: 10 },
): string[] {
  const c = mockCore();
  if (filters)
    c.strategies.set('s1', {
      id: 's1',
      attributes: {
        filters: { categories: [], categoryExclusions: [], merchantExclusions: [], ...filters },
        ...(sort ? { sort } : {}),
      },
    });
  const p: Placement = {
    id: 'p1',
    type: 'placementCarousel',
    attributes: { ...(filters ? { contentStrategyId: 's1' } : {}), ...placement },
    slots: [],
  };
  const out = resolveStrategyOffers(c, p).map((o) => o.name);
  c.dispatcher.close();
  return out;
}

// Convenience and Gas, in fixture order: Fresh Basket Market 3 %, Corner Mart $1, QuickStop Fuel
// 2 %, Open Road Gas $2.
const FUEL_AND_SNACKS = ['Convenience', 'Gas'];

describe('resolveStrategyOffers', () => {
  it('no strategy: the first offers of the catalog, as many as the placement has slots (5 when unset)', () => {
    expect(shown(null, undefined, {})).toEqual([
      'Bean & Leaf Coffee',
      'Golden Crust Bakery',
      'Noodle Harbor',
      'Taco Trail',
      'Fresh Basket Market',
    ]);
    expect(shown(null, undefined, { availableSlots: 2 })).toEqual([
      'Bean & Leaf Coffee',
      'Golden Crust Bakery',
    ]);
    expect(shown(null, undefined, { contentStrategyId: 7, availableSlots: 1 })).toEqual([
      'Bean & Leaf Coffee',
    ]);
  });

  it('an empty category list keeps every category', () => {
    expect(shown({}, undefined, {})).toEqual(shown(null, undefined, {}));
  });

  it('categories keep only theirs; exclusions remove categories and merchants, whatever the case', () => {
    expect(shown({ categories: FUEL_AND_SNACKS })).toEqual([
      'Fresh Basket Market',
      'Corner Mart',
      'QuickStop Fuel',
      'Open Road Gas',
    ]);
    expect(shown({ categories: FUEL_AND_SNACKS, categoryExclusions: ['Convenience'] })).toEqual([
      'QuickStop Fuel',
      'Open Road Gas',
    ]);
    expect(
      shown({ categories: FUEL_AND_SNACKS, merchantExclusions: ['CORNER MART', 'open road gas'] }),
    ).toEqual(['Fresh Basket Market', 'QuickStop Fuel']);
  });

  it('EXPIRING_SOON: the soonest expiration first', () => {
    expect(shown({ categories: FUEL_AND_SNACKS }, 'EXPIRING_SOON')).toEqual([
      'Corner Mart', // 2027-02
      'QuickStop Fuel', // 2027-07
      'Fresh Basket Market', // 2027-09
      'Open Road Gas', // 2027-12
    ]);
  });

  it('NEWLY_LIVE: the latest start first', () => {
    expect(shown({ categories: FUEL_AND_SNACKS }, 'NEWLY_LIVE')).toEqual([
      'Open Road Gas', // 2026-08
      'QuickStop Fuel', // 2026-07
      'Corner Mart', // 2026-06
      'Fresh Basket Market', // 2026-05
    ]);
  });

  it('HIGHEST_CASHBACK: the highest percentage first; flat rewards count as none', () => {
    expect(
      shown(
        { categories: ['Food & Beverage', ...FUEL_AND_SNACKS], merchantExclusions: ['Noodle Harbor'] },
        'HIGHEST_CASHBACK',
      ),
    ).toEqual([
      'Golden Crust Bakery', // 8 %
      'Taco Trail', // 7 %
      'Bean & Leaf Coffee', // 5 %
      'Fresh Basket Market', // 3 %
      'QuickStop Fuel', // 2 %
      'Corner Mart', // $1
      'Open Road Gas', // $2
    ]);
    // a flat reward worth more than a percentage still comes after it
    expect(shown({ categories: ['Sports & Outdoors', 'Travel'] }, 'HIGHEST_CASHBACK')).toEqual([
      'Harborview Hotels', // 10 %
      'Summit Outfitters', // 8 %
      'Skyline Airways', // 3 %
      'Fairway Golf Co', // $5
    ]);
  });
});
