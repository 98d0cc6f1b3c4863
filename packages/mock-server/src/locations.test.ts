import { afterAll, describe, expect, it } from 'vitest';
import { fixtureLocations, fixtureOffers } from './index.js';
import { type Harness, harness, org } from './test-support.js';

// Offers' comma lists and the locations' zip and distance filters, checked against the fixtures
// (src/fixtures.ts) one location or offer at a time (R59–R63).
const h: Harness = await harness();
afterAll(() => h.mock.close());

type Loc = { id: string };
const locations = async (query: string) => {
  const r = await h.call('GET', `${org(h)}/users/u1/locations?page[size]=100&${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.data as Loc[]).map((l) => l.id).sort();
};

describe('locations', () => {
  it('no filter: every location', async () => {
    expect(await locations('')).toEqual(fixtureLocations.map((l) => l.id).sort());
  });

  it('filter[zipCode] keeps exactly the locations with that zip', async () => {
    expect(await locations('filter[zipCode]=78701')).toEqual(
      fixtureLocations
        .filter((l) => l.zipCode === '78701')
        .map((l) => l.id)
        .sort(),
    );
  });

  it('filter[radius] is in miles: a store 5 miles away is outside 4 and inside 6', async () => {
    const store = fixtureLocations[0]!;
    // 5 miles due north: one degree of latitude is 69.09 miles on the mean-radius earth
    const lat = (store.latitude + 5 / 69.09).toFixed(5);
    const at = `filter[latitude]=${lat}&filter[longitude]=${store.longitude}`;
    expect(await locations(`${at}&filter[radius]=4`)).not.toContain(store.id);
    expect(await locations(`${at}&filter[radius]=6`)).toContain(store.id);
  });
});

describe('locations: coordinates', () => {
  it('the poles and the antimeridian are valid coordinates; beyond them is a 400', async () => {
    expect(await locations('filter[latitude]=90&filter[longitude]=180')).toEqual([]);
    expect(await locations('filter[latitude]=-90&filter[longitude]=-180')).toEqual([]);
    for (const [lat, lng] of [
      [90.5, 0],
      [-90.5, 0],
      [0, 180.5],
      [0, -180.5],
    ])
      expect(
        (await h.call('GET', `${org(h)}/users/u1/locations?filter[latitude]=${lat}&filter[longitude]=${lng}`))
          .status,
      ).toBe(400);
  });
});

describe('offers: comma lists', () => {
  it('members are trimmed and empty ones ignored', async () => {
    const names = async (query: string) => {
      const r = await h.call('GET', `${org(h)}/users/u1/offers?page[size]=100&${query}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.data as { attributes: { name: string } }[]).map((o) => o.attributes.name).sort();
    };
    const online = fixtureOffers.filter((o) => o.purchaseChannel.includes('ONLINE')).map((o) => o.name);
    expect(await names('filter[purchaseChannel]=%20ONLINE%20,,')).toEqual(online.sort());
  });
});
