// The canonical spelling of a registry (issue 9 M2): what is merged, and what deliberately is not.
import { expect, test } from 'vitest';
import { canonicalRegistry, canonicalRepository } from '../../src/reference/index.js';

test.each([
  // Spellings of one name: merged.
  ['docker.io', 'docker.io'],
  ['DOCKER.IO', 'docker.io'],
  ['docker.io:443', 'docker.io'],
  ['Docker.IO:0443', 'docker.io'],
  ['index.docker.io', 'docker.io'],
  ['registry-1.docker.io', 'docker.io'],
  ['registry-1.docker.io:443', 'docker.io'],
  ['127.0.0.1:05000', '127.0.0.1:5000'],
  ['127.0.0.1:5000', '127.0.0.1:5000'],
  ['Registry.Example.com:8443', 'registry.example.com:8443'],
  ['[::1]:05000', '[::1]:5000'],
  ['[::1]:443', '[::1]'],
  ['ghcr.io:443', 'ghcr.io'],
  // Different names of possibly one host: kept apart (name resolution is not ours to do).
  ['localhost:5000', 'localhost:5000'],
  ['127.0.0.1', '127.0.0.1'],
  ['2130706433:5000', '2130706433:5000'],
  ['docker.io:80', 'docker.io:80'],
  ['index.docker.io:8443', 'index.docker.io:8443'],
  ['ghcr.io:99999', 'ghcr.io:99999'],
])('%s → %s', (registry, canonical) => {
  expect(canonicalRegistry(registry)).toBe(canonical);
});

test('canonicalRepository changes the registry only', () => {
  expect(canonicalRepository('REGISTRY-1.docker.io:443/library/nginx')).toBe('docker.io/library/nginx');
  expect(canonicalRepository('127.0.0.1:05000/team/app')).toBe('127.0.0.1:5000/team/app');
  expect(canonicalRepository('library/nginx')).toBe('library/nginx');
  expect(canonicalRepository('nginx')).toBe('nginx');
});
