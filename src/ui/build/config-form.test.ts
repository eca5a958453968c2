import { describe, expect, it } from 'vitest';
import { configFormChanges, defaultText, FORM_KEYS } from './config-form';

describe('settings forms', () => {
  it('show every key the issue names, with Kafka defaults', () => {
    for (const k of ['acks', 'linger.ms', 'batch.size', 'compression.type', 'enable.idempotence', 'max.in.flight.requests.per.connection']) expect(FORM_KEYS.producer).toContain(k);
    for (const k of ['enable.auto.commit', 'auto.offset.reset']) expect(FORM_KEYS.consumer).toContain(k);
    expect(FORM_KEYS.broker).toContain('min.insync.replicas');
    expect(defaultText('producer', 'acks')).toBe('all');
    expect(defaultText('producer', 'linger.ms')).toBe('5');
    expect(defaultText('consumer', 'auto.offset.reset')).toBe('latest');
    expect(defaultText('consumer', 'group.instance.id')).toBe('null');
  });

  it('turn changed fields into one alterConfig with typed values, leaving the rest out', () => {
    const r = configFormChanges('producer', { acks: 1 }, { acks: '1', 'linger.ms': '20', 'batch.size': '32768', 'compression.type': 'lz4', 'enable.idempotence': 'false' });
    expect(r).toEqual({ config: { 'linger.ms': 20, 'batch.size': 32768, 'compression.type': 'lz4', 'enable.idempotence': false }, error: null });
    expect(configFormChanges('producer', {}, { acks: 'all' }).config).toEqual({ acks: 'all' });
  });

  it('refuse a bad value with the cluster\'s own message, naming the key', () => {
    expect(configFormChanges('producer', {}, { 'linger.ms': 'soon' }).error).toBe('Invalid value "soon" for configuration linger.ms: expected a number.');
    expect(configFormChanges('producer', {}, { 'batch.size': '-1' }).error).toBe('Invalid value -1 for configuration batch.size: value must be at least 0.');
    expect(configFormChanges('producer', {}, { 'max.in.flight.requests.per.connection': '0' }).error).toContain('max.in.flight.requests.per.connection');
    expect(configFormChanges('consumer', {}, { 'heartbeat.interval.ms': '50000' }).error).toContain('heartbeat.interval.ms (50000) must be set lower than session.timeout.ms (45000)');
    expect(configFormChanges('producer', {}, { acks: '1', 'enable.idempotence': 'true' }).error).toContain('Must set acks to all in order to use the idempotent producer');
  });

  it('an emptied field goes back to the default: deleted for the brokers, the default value for a client', () => {
    expect(configFormChanges('broker', { 'min.insync.replicas': 2 }, { 'min.insync.replicas': '' }).config).toEqual({ 'min.insync.replicas': null });
    expect(configFormChanges('producer', { 'linger.ms': 100 }, { 'linger.ms': '' }).config).toEqual({ 'linger.ms': 5 });
  });
});
