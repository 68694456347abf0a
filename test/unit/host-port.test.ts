import { describe, expect, it } from 'vitest';
import { bracketed, hostLabel, hostPort } from '../../core/host-port.js';

describe('how maillab writes an address and its port (issue 18)', () => {
  it('brackets an IPv6 address, and only that', () => {
    expect(hostPort('::1', 2525)).toBe('[::1]:2525');
    expect(hostPort('2001:db8::25', '25')).toBe('[2001:db8::25]:25');
    expect(hostPort('127.0.0.1', 2525)).toBe('127.0.0.1:2525');
    expect(hostPort('mx.example.org', 25)).toBe('mx.example.org:25');
    expect(hostPort('::1', undefined)).toBe('[::1]');
    expect(bracketed('[::1]')).toBe('[::1]');
  });

  it('names a host with its address in brackets, or the address alone when it is the name', () => {
    expect(hostLabel('mx1.example.test', '127.0.0.2', 25)).toBe('mx1.example.test [127.0.0.2]:25');
    expect(hostLabel('mx1.example.test', '::1', 25)).toBe('mx1.example.test [::1]:25');
    expect(hostLabel('::1', '::1', 2525)).toBe('[::1]:2525');
  });
});
