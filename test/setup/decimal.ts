// Tests use the same decimal.js settings as the service.
import '../../src/shared/decimal.js';
