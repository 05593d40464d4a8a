import { describe, expect, it } from 'vitest';
import { thousandths } from './order-facts.js';

describe('thousandths', () => {
  it('turns decimal amounts into exact integer thousandths', () => {
    expect(thousandths('19.90')).toBe(19_900);
    expect(thousandths('0.005')).toBe(5);
    expect(thousandths('-12.5')).toBe(-12_500);
    expect(thousandths('123456789012.345')).toBe(123_456_789_012_345);
    expect(thousandths('7')).toBe(7_000);
  });

  it('rounds beyond three decimals half to even', () => {
    expect(thousandths('1.0005')).toBe(1_000);
    expect(thousandths('1.0015')).toBe(1_002);
    expect(thousandths('-0.0025')).toBe(-2);
  });
});
