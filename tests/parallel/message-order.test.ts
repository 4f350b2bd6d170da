/**
 * EventQueue.scheduleMessage (emulator/machine/sim/event-queue.ts): a message from another partition sorts after every
 * local event of the same time, and messages among themselves by their senders' keys, whatever order they were
 * scheduled in — so where a guest's message lands never depends on when it arrived (emulator/machine/parallel/).
 */
import { EventQueue, MESSAGE_SEQ_BASE } from '../../emulator/machine/sim/event-queue';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';

function run(order: 'messages-first' | 'locals-first'): string[] {
  const q = new EventQueue();
  const log: string[] = [];
  const local = (name: string, prio: number) => new SimEvent(name, () => log.push(name), prio);
  const msg = (name: string) => new SimEvent(name, () => log.push(name), Priority.Message);
  const schedLocals = () => {
    q.schedule(local('stop', Priority.Stop), 100);
    q.schedule(local('wire', Priority.Wire), 100);
    q.schedule(local('cpu', Priority.Cpu), 100);
  };
  const schedMessages = () => {
    q.scheduleMessage(msg('g2#0'), 100, MESSAGE_SEQ_BASE + 2 * 2 ** 40);
    q.scheduleMessage(msg('g1#1'), 100, MESSAGE_SEQ_BASE + 2 ** 40 + 1);
    q.scheduleMessage(msg('g1#0'), 100, MESSAGE_SEQ_BASE + 2 ** 40);
    q.scheduleMessage(msg('early'), 99, MESSAGE_SEQ_BASE + 2 * 2 ** 40 + 1);
  };
  if (order === 'messages-first') {
    schedMessages();
    schedLocals();
  } else {
    schedLocals();
    schedMessages();
  }
  q.runUntil(200);
  return log;
}

test('messages run after the local events of their time, in key order, however they were scheduled', () => {
  const expected = ['early', 'wire', 'cpu', 'stop', 'g1#0', 'g1#1', 'g2#0'];
  expect(run('messages-first')).toEqual(expected);
  expect(run('locals-first')).toEqual(expected);
});

test('a message cannot be scheduled in the past', () => {
  const q = new EventQueue();
  q.runUntil(50);
  expect(() => q.scheduleMessage(new SimEvent('m', () => undefined, Priority.Message), 49, MESSAGE_SEQ_BASE)).toThrow(/before now/);
});

test('with a gate, the run loops ask it instead of the heap, and advanceTo never moves the clock', () => {
  const q = new EventQueue();
  const ran: number[] = [];
  q.schedule(new SimEvent('a', () => ran.push(q.now), Priority.Default), 10);
  q.schedule(new SimEvent('b', () => ran.push(q.now), Priority.Default), 30);
  // A gate that admits events up to 20 and then says nothing more can come before `until`.
  let asked = 0;
  q.gate = {
    yielded: false,
    admit(until: number): boolean {
      asked++;
      const t = q.peekTime();
      return t !== null && t <= Math.min(until, 20);
    },
  };
  q.runUntil(40);
  expect(ran).toEqual([10]);
  expect(q.now).toBe(40);
  expect(asked).toBe(2);
  expect(q.advanceTo(45)).toBe(false);
});
