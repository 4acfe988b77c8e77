import { fileURLToPath } from 'node:url';
import { CustomerServiceConfigSchema, type CustomerServiceConfig } from '../../common/customer-service.js';
import { readYamlConfig } from '../read-yaml-config.js';

/** The customer-service behaviour that ships with llmos: the example company's support agent. */
export const builtInServiceFile = fileURLToPath(
  new URL('../../config/customer_service.yaml', import.meta.url),
);

/** Reads and checks a customer-service configuration (LLMOS_CUSTOMER_SERVICE_FILE, else the built-in one). */
export function loadServiceConfig(file: string = builtInServiceFile): CustomerServiceConfig {
  return readYamlConfig(file, CustomerServiceConfigSchema, 'customer-service configuration');
}

/**
 * The worker's customer-service configuration, for a session started without one of its own. Read
 * when the worker starts (a bad file stops it); a session records what it got in history and
 * carries it across continue-as-new, so it keeps the version it started with however the file
 * changes. No I/O, idempotent.
 */
export function createServiceConfigActivities(config: CustomerServiceConfig) {
  return {
    serviceConfig(): Promise<CustomerServiceConfig> {
      return Promise.resolve(config);
    },
  };
}
