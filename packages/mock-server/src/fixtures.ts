/** The seeded fixture catalog: offers, their categories and in-store locations. Deterministic. */
import { CATEGORY_OPTION } from '@kardkit/schemas';

export type PurchaseChannel = 'INSTORE' | 'ONLINE';

export interface FixtureOffer {
  id: string;
  name: string; // the merchant name transactions are matched against
  category: string;
  purchaseChannel: PurchaseChannel[];
  userReward: { type: 'PERCENT' | 'FLAT'; value: number };
  isTargeted: boolean;
  startDate: string;
  expirationDate: string;
  websiteUrl: string;
}

export interface FixtureLocation {
  id: string;
  offerId: string;
  name: string;
  category: string;
  street: string;
  city: string;
  state: string;
  zipCode: string;
  latitude: number;
  longitude: number;
  phone: string;
}

type Row = [name: string, category: string, channels: PurchaseChannel[], reward: string, targeted: boolean];

// reward: '5%' = PERCENT 5 of the amount; '$3' = FLAT 3 dollars (300 cents).
const ROWS: Row[] = [
  ['Bean & Leaf Coffee', 'Food & Beverage', ['INSTORE', 'ONLINE'], '5%', false],
  ['Golden Crust Bakery', 'Food & Beverage', ['INSTORE'], '8%', false],
  ['Noodle Harbor', 'Food & Beverage', ['INSTORE'], '6%', false],
  ['Taco Trail', 'Food & Beverage', ['INSTORE'], '7%', true],
  ['Fresh Basket Market', 'Convenience', ['INSTORE'], '3%', false],
  ['Corner Mart', 'Convenience', ['INSTORE'], '$1', false],
  ['QuickStop Fuel', 'Gas', ['INSTORE'], '2%', false],
  ['Open Road Gas', 'Gas', ['INSTORE'], '$2', false],
  ['Page Turner Books', 'Books & Digital Media', ['ONLINE', 'INSTORE'], '10%', false],
  ['Pixel Stream Media', 'Books & Digital Media', ['ONLINE'], '$3', false],
  ['Thread & Needle Apparel', 'Clothing, Shoes & Accessories', ['ONLINE', 'INSTORE'], '6%', false],
  ['Stride Footwear', 'Clothing, Shoes & Accessories', ['INSTORE'], '5%', true],
  ['Voltwave Electronics', 'Computers, Electronics & Software', ['ONLINE', 'INSTORE'], '4%', false],
  ['ByteNest Software', 'Computers, Electronics & Software', ['ONLINE'], '15%', false],
  ['Glow Theory Beauty', 'Health & Beauty', ['ONLINE', 'INSTORE'], '9%', false],
  ['Vital Pharmacy', 'Health & Beauty', ['INSTORE'], '3%', false],
  ['Hearth & Home Goods', 'Home & Garden', ['ONLINE', 'INSTORE'], '5%', false],
  ['Green Thumb Nursery', 'Home & Garden', ['INSTORE'], '7%', false],
  ['Paws & Whiskers Pet Supply', 'Pets', ['ONLINE', 'INSTORE'], '6%', false],
  ['Summit Outfitters', 'Sports & Outdoors', ['ONLINE', 'INSTORE'], '8%', false],
  ['Fairway Golf Co', 'Sports & Outdoors', ['INSTORE'], '$5', false],
  ['Skyline Airways', 'Travel', ['ONLINE'], '3%', true],
  ['Harborview Hotels', 'Travel', ['ONLINE'], '10%', false],
  ['Little Sprouts Toys', 'Baby, Kids & Toys', ['ONLINE', 'INSTORE'], '6%', false],
  ['Starlight Cinemas', 'Arts & Entertainment', ['INSTORE'], '$2', false],
  ['Grand Gallery Tickets', 'Arts & Entertainment', ['ONLINE'], '5%', false],
  ['Bloom & Petal Florist', 'Occasions & Gifts', ['ONLINE', 'INSTORE'], '12%', true],
  ['Parcel Pro Shipping', 'Supplies & Services', ['INSTORE'], '4%', false],
  ['Sparkle Car Wash', 'Supplies & Services', ['INSTORE'], '$3', false],
  ['Maple Department Store', 'Department Stores', ['ONLINE', 'INSTORE'], '4%', false],
];

const CITIES: [city: string, state: string, zip: string, lat: number, lng: number][] = [
  ['New York', 'NY', '10001', 40.7506, -73.9972],
  ['Austin', 'TX', '78701', 30.2711, -97.7437],
  ['Chicago', 'IL', '60601', 41.8853, -87.6216],
  ['San Francisco', 'CA', '94103', 37.7726, -122.4099],
  ['Denver', 'CO', '80202', 39.7527, -104.9992],
];

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const offerIdFor = (i: number) => `6650a1b2c3d4e5f6a7b8c9${hex2(i)}`;
const locationIdFor = (i: number) => `6650b1b2c3d4e5f6a7b8c9${hex2(i)}`;
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');

/** Kard's category names (CategoryOption), from @kardkit/schemas. */
export const CATEGORIES: readonly string[] = CATEGORY_OPTION;
const categoryId = (name: string) => `cat-${slug(name)}`;

function build(): { offers: FixtureOffer[]; locations: FixtureLocation[] } {
  const offers: FixtureOffer[] = [];
  const locations: FixtureLocation[] = [];
  ROWS.forEach(([name, category, channels, reward, targeted], i) => {
    const pct = reward.endsWith('%');
    const month = (i % 12) + 1;
    offers.push({
      id: offerIdFor(i + 1),
      name,
      category,
      purchaseChannel: channels,
      userReward: { type: pct ? 'PERCENT' : 'FLAT', value: Number(reward.replace(/[%$]/g, '')) },
      isTargeted: targeted,
      startDate: `2026-${String(month).padStart(2, '0')}-01T00:00:00.000Z`,
      expirationDate: `2027-${String(((i * 5) % 12) + 1).padStart(2, '0')}-28T23:59:59.000Z`,
      websiteUrl: `https://www.${slug(name).replace(/-/g, '')}.example`,
    });
    if (channels.includes('INSTORE')) {
      const n = i % 3 === 0 ? 2 : 1; // some merchants have two stores
      for (let k = 0; k < n; k++) {
        const [city, state, zipCode, lat, lng] = CITIES[(i + k * 2) % CITIES.length]!;
        locations.push({
          id: locationIdFor(locations.length + 1),
          offerId: offerIdFor(i + 1),
          name: k === 0 ? name : `${name} ${city}`,
          category,
          street: `${100 + i * 7 + k} Main St`,
          city,
          state,
          zipCode,
          latitude: Number((lat + (i % 7) * 0.004).toFixed(4)),
          longitude: Number((lng - (i % 5) * 0.004).toFixed(4)),
          phone: `+1555010${String(locations.length).padStart(4, '0')}`,
        });
      }
    }
  });
  return { offers, locations };
}

const catalog = build();
export const OFFERS: readonly FixtureOffer[] = catalog.offers;
export const LOCATIONS: readonly FixtureLocation[] = catalog.locations;
export const OFFERS_BY_ID: ReadonlyMap<string, FixtureOffer> = new Map(OFFERS.map((o) => [o.id, o]));

const MATCHERS = OFFERS.map((o) => [o.name.toLowerCase(), o] as const);

/** Case-insensitive substring match of an offer's merchant name in a transaction's description or merchant name. */
export function matchOffer(...texts: (string | undefined)[]): FixtureOffer | undefined {
  for (const t of texts) {
    if (!t) continue;
    const lower = t.toLowerCase();
    for (const [name, offer] of MATCHERS) if (lower.includes(name)) return offer;
  }
  return undefined;
}

/** Reward in cents the user earns for `amount` cents at `offer`. */
export function rewardCents(offer: FixtureOffer, amount: number): number {
  return offer.userReward.type === 'PERCENT'
    ? Math.round((amount * offer.userReward.value) / 100)
    : Math.round(offer.userReward.value * 100);
}

export function offerResource(o: FixtureOffer, withComponents: boolean): Record<string, unknown> {
  const reward =
    o.userReward.type === 'PERCENT' ? `${o.userReward.value}% back` : `$${o.userReward.value} back`;
  const attributes: Record<string, unknown> = {
    name: o.name,
    terms: `Earn ${reward} at ${o.name}. Offer valid for enrolled cards only.`,
    purchaseChannel: o.purchaseChannel,
    userReward: o.userReward,
    assets: [
      { type: 'LOGO', url: `https://assets.kard.example/${slug(o.name)}/logo.png`, alt: `${o.name} logo` },
      { type: 'BANNER', url: `https://assets.kard.example/${slug(o.name)}/banner.png`, alt: `${o.name}` },
    ],
    startDate: o.startDate,
    expirationDate: o.expirationDate,
    isTargeted: o.isTargeted,
    maxRedemptions: 1,
    minTransactionAmount: { type: 'CENTS', value: 500 },
    websiteUrl: o.websiteUrl,
  };
  if (withComponents) {
    attributes.components = {
      shortDescription: `${reward} at ${o.name}`,
      longDescription: `Pay with your linked card at ${o.name} and earn ${reward}.`,
      baseReward: reward,
      tags: [o.category],
    };
  }
  return {
    type: 'standardOffer',
    id: o.id,
    attributes,
    relationships: { category: { data: [{ type: 'category', id: categoryId(o.category) }] } },
  };
}

export function categoryResource(name: string): Record<string, unknown> {
  return { type: 'category', id: categoryId(name), attributes: { name } };
}

export function locationResource(l: FixtureLocation): Record<string, unknown> {
  return {
    type: 'location',
    id: l.id,
    attributes: {
      name: l.name,
      address: { street: l.street, city: l.city, state: l.state, zipCode: l.zipCode },
      coordinates: { longitude: l.longitude, latitude: l.latitude },
      phone: l.phone,
      operationHours: {
        periods: [1, 2, 3, 4, 5].map((day) => ({
          open: { day, time: '0800' },
          close: { day, time: '2000' },
        })),
        weekdayText: ['Monday–Friday: 8:00 AM – 8:00 PM'],
      },
      partnerIds: [],
    },
    relationships: {
      offers: { data: [{ type: 'standardOffer', id: l.offerId }] },
      category: { data: [{ type: 'category', id: categoryId(l.category) }] },
    },
  };
}
