export { CatalogService, type CategoryView, type WarehouseView, type Page } from './catalog.service.js';
export { Category, Warehouse, WAREHOUSE_LEVELS, type WarehouseLevel } from './catalog.entity.js';
export { CODE_PATTERN, readCodeReference } from './catalog.rules.js';
