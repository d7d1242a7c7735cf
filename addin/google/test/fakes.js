// Small fakes of SpreadsheetApp for running Code.gs under Node: only what the script calls.
'use strict';

class FakeRange {
  constructor(sheet, row, column, rows, columns) {
    Object.assign(this, { sheet, row, column, rows: rows || 1, columns: columns || 1 });
  }
  getRow() { return this.row; }
  getNumRows() { return this.rows; }
  getValues() {
    const out = [];
    for (let r = 0; r < this.rows; r++) {
      const line = [];
      for (let c = 0; c < this.columns; c++) line.push(this.sheet.value(this.row + r, this.column + c));
      out.push(line);
    }
    return out;
  }
  setValue(value) {
    if (this.rows !== 1 || this.columns !== 1) throw new Error('setValue on more than one cell');
    this.sheet.writes.push([this.row, this.column, value]);
    this.sheet.set(this.row, this.column, value);
    return this;
  }
}

class FakeSheet {
  constructor(name, rows) { this.name = name; this.rows = rows.map((r) => r.slice()); this.writes = []; this.selection = []; }
  getName() { return this.name; }
  value(row, column) { const r = this.rows[row - 1] || []; return r[column - 1] === undefined ? '' : r[column - 1]; }
  set(row, column, value) { while (this.rows.length < row) this.rows.push([]); this.rows[row - 1][column - 1] = value; }
  getLastRow() { return this.rows.length; }
  getLastColumn() { return Math.max(0, ...this.rows.map((r) => r.length)); }
  getRange(row, column, rows, columns) {
    if (row < 1 || column < 1) throw new Error(`bad range ${row},${column}`);
    return new FakeRange(this, row, column, rows, columns);
  }
  select(...ranges) { this.selection = ranges.map(([row, rows]) => new FakeRange(this, row, 1, rows, 1)); }
  getActiveRangeList() { return this.selection.length ? { getRanges: () => this.selection } : null; }
}

function fakeApp(tabs, activeName) {
  const sheets = Object.entries(tabs).map(([name, rows]) => new FakeSheet(name, rows));
  const state = { alerts: [], toasts: [], menus: [], active: sheets.find((s) => s.getName() === activeName) || sheets[0] };
  const book = {
    getActiveSheet: () => state.active,
    getSheets: () => sheets.slice(),
    setActiveSheet: (s) => { state.active = s; return s; },
    toast: (message, title) => state.toasts.push([title, message]),
  };
  const ui = {
    alert: (message) => { state.alerts.push(message); },
    createMenu: (title) => {
      const menu = { title, items: [] };
      const builder = {
        addItem: (label, fn) => { menu.items.push([label, fn]); return builder; },
        addSeparator: () => { menu.items.push(['---', null]); return builder; },
        addToUi: () => { state.menus.push(menu); },
      };
      return builder;
    },
  };
  const SpreadsheetApp = { getActiveSpreadsheet: () => book, getUi: () => ui };
  return { SpreadsheetApp, state, sheet: (name) => sheets.find((s) => s.getName() === name) };
}

module.exports = { fakeApp };
