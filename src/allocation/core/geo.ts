/**
 * Which warehouse is nearest a destination. Coordinates are plain numbers: a distance orders
 * warehouses and is never stored or added up, so a binary float is fine here (quantities never are).
 */
export type WarehouseLevel = 'CITY' | 'DISTRICT' | 'AGREEMENT';

export interface WarehouseSite {
  readonly code: string;
  readonly district: string;
  readonly level: WarehouseLevel;
  readonly lat: number;
  readonly lon: number;
}

export interface Destination {
  readonly district?: string | null;
  readonly lat?: number | null;
  readonly lon?: number | null;
}

const EARTH_RADIUS_KM = 6371.0088;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance (haversine) in kilometres. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = radians(b.lat - a.lat);
  const dLon = radians(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

// Plain code-unit comparison: the order must not depend on the server's locale.
const byCode = (a: WarehouseSite, b: WarehouseSite) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/**
 * Warehouses nearest first: by great-circle distance when the destination has coordinates; without
 * them, the destination district's own warehouses, then city-level ones, then the rest. Ties by code,
 * so the same request always plans the same way.
 */
export function nearestFirst(destination: Destination, sites: readonly WarehouseSite[]): WarehouseSite[] {
  const { lat, lon } = destination;
  if (typeof lat === 'number' && typeof lon === 'number') {
    const distance = new Map(sites.map((site) => [site.code, distanceKm({ lat, lon }, site)]));
    return [...sites].sort((a, b) => distance.get(a.code)! - distance.get(b.code)! || byCode(a, b));
  }
  const rank = (site: WarehouseSite) => (destination.district && site.district === destination.district ? 0 : site.level === 'CITY' ? 1 : 2);
  return [...sites].sort((a, b) => rank(a) - rank(b) || byCode(a, b));
}
