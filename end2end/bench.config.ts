import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/** `./setup.sh bench` runs this: the bytes-on-the-wire benchmark, one test at a time. */
export default defineConfig({
  ...base,
  testDir: 'bench',
  fullyParallel: false,
  workers: 1,
  timeout: 120_000,
});
