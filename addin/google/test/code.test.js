// Runs the bound script (../Code.gs) under Node with fakes of SpreadsheetApp: `node --test addin/google/test/`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { fakeApp } = require('./fakes.js');

const SOURCE = fs.readFileSync(path.join(__dirname, '..', 'Code.gs'), 'utf8');

function load(tabs, active) {
  const fake = fakeApp(tabs, active);
  const context = vm.createContext({ SpreadsheetApp: fake.SpreadsheetApp });
  vm.runInContext(SOURCE, context, { filename: 'Code.gs' });
  return { ...fake, script: context };
}

const ORDERS = [
  ['Order ID', 'Order Date', 'SKU', 'Quantity', 'Sales Rep', 'ACTION', 'Status'],
  ['SO-1001', '2026-11-02', 'KB-ESP-1000', 10, 'Lena', '', 'Verified'],
  ['SO-1001', '2026-11-02', 'KB-FIL-250', 12, 'Lena', '', 'Verified'],
  ['SO-1002', '2026-11-02', 'KB-ETH-250', 2, 'Mehmet', 'Hold', 'On hold'],
  [' so-1003 ', '2026-11-03', 'KB-MUG-6', 6, 'Jonas', '', 'Verified'],
  ['', '', '', '', '', '', ''],
];

test('onOpen adds the sheetclerk menu', () => {
  const { script, state } = load({ Orders: ORDERS });
  script.onOpen();
  assert.equal(state.menus.length, 1);
  assert.equal(state.menus[0].title, 'sheetclerk');
  assert.deepEqual(state.menus[0].items.map(([, fn]) => fn),
    ['invoiceSelected', 'shipSelected', 'cancelSelected', null, 'openReview']);
  for (const [, fn] of state.menus[0].items) if (fn) assert.equal(typeof script[fn], 'function');
});

test('Invoice sets the Action of every line of the selected orders, found by header', () => {
  const { script, sheet, state } = load({ Orders: ORDERS });
  sheet('Orders').select([3, 1]);  // the second line of SO-1001
  assert.equal(script.invoiceSelected(), 2);
  assert.deepEqual(sheet('Orders').writes, [[2, 6, 'Invoice'], [3, 6, 'Invoice']]);
  assert.match(state.toasts[0][1], /Invoice requested for 1 order/);
});

test('several ranges, keys matched like sheetclerk matches them, the header row ignored', () => {
  const { script, sheet } = load({ Orders: ORDERS });
  sheet('Orders').select([1, 2], [5, 2]);  // header + SO-1001 line 1, then " so-1003 " and the blank row
  assert.equal(script.shipSelected(), 3);
  assert.deepEqual(sheet('Orders').writes.map(([r]) => r), [2, 3, 5]);
});

test('an Action already set is not written again; Cancel replaces another request', () => {
  const { script, sheet } = load({ Orders: ORDERS });
  sheet('Orders').select([4, 1]);
  assert.equal(script.cancelSelected(), 1);
  assert.equal(sheet('Orders').value(4, 6), 'Cancel');
  assert.equal(script.cancelSelected(), 0);
});

test('plain messages instead of errors', () => {
  const { script, sheet, state } = load({ Orders: ORDERS, Products: [['SKU']] }, 'Products');
  assert.equal(script.invoiceSelected(), 0);
  assert.match(state.alerts.pop(), /Orders tab first/);
  const other = load({ Orders: [['Order ID', 'SKU'], ['SO-1', 'X']] });
  other.sheet('Orders').select([2, 1]);
  assert.equal(other.script.invoiceSelected(), 0);
  assert.match(other.state.alerts.pop(), /"Action" column/);
  const none = load({ Orders: ORDERS });
  assert.equal(none.script.invoiceSelected(), 0);
  assert.match(none.state.alerts.pop(), /Select one or more order lines/);
  assert.equal(sheet('Orders').writes.length, 0);
});

test('Open review shows the Review tab, or says when there is none yet', () => {
  const { script, state } = load({ Orders: ORDERS, review: [['Sheet', 'Row']] });
  assert.equal(script.openReview(), true);
  assert.equal(state.active.getName(), 'review');
  const bare = load({ Orders: ORDERS });
  assert.equal(bare.script.openReview(), false);
  assert.match(bare.state.alerts.pop(), /no Review tab yet/);
});
