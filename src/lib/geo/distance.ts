// Distances as the crow flies between two points on the Earth, in miles, and how to say them.

export interface LatLng {
  latitude: number;
  longitude: number;
}

const EARTH_RADIUS_MILES = 3958.8;
const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

/** The great-circle (haversine) distance between two points, in miles. */
export function distanceInMiles(a: LatLng, b: LatLng): number {
  const dLat = toRadians(b.latitude - a.latitude);
  const dLng = toRadians(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a.latitude)) * Math.cos(toRadians(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** "0.8 miles" (one decimal under 10 miles), "12 miles", "less than 0.1 miles". */
export function formatMiles(miles: number): string {
  if (miles < 0.05) return 'less than 0.1 miles';
  if (miles < 9.95) return `${miles.toFixed(1)} miles`;
  return `${Math.round(miles)} miles`;
}

/**
 * Reads a "latitude,longitude" pair as the "Use my location" button sends it (`?near=53.58,-1.79`).
 * Strict: plain decimal numbers, in range, at most 6 decimal places; anything else is null.
 */
export function parseLatLng(text: string): LatLng | null {
  const match = /^(-?\d{1,2}(?:\.\d{1,6})?),(-?\d{1,3}(?:\.\d{1,6})?)$/.exec(text.trim());
  if (!match) return null;
  const latitude = Number(match[1]);
  const longitude = Number(match[2]);
  if (!(Math.abs(latitude) <= 90) || !(Math.abs(longitude) <= 180)) return null;
  return { latitude, longitude };
}
