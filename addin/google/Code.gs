/**
 * sheetclerk buttons for Google Sheets: a bound Apps Script (Extensions > Apps Script).
 *
 * The Action column is the universal button: the sheetclerk daemon acts on it at its
 * next poll. This menu only fills in the Action cells of the selected orders, so it runs
 * entirely inside Google and needs no connection to the office.
 *
 *   sheetclerk > Invoice selected orders | Ship selected orders | Cancel selected orders
 *              > Open review
 *
 * Selecting any cell of an order line selects its whole order: every line with that
 * Order ID gets the request (several ranges may be selected with Ctrl/Cmd).
 */

var SHEETCLERK = {
  ordersTab: 'orders',
  reviewTab: 'review',
  actionHeader: 'action',
  orderHeader: 'orderid',
};

function onOpen() {
  SpreadsheetApp.getUi()
    .createMenu('sheetclerk')
    .addItem('Invoice selected orders', 'invoiceSelected')
    .addItem('Ship selected orders', 'shipSelected')
    .addItem('Cancel selected orders', 'cancelSelected')
    .addSeparator()
    .addItem('Open review', 'openReview')
    .addToUi();
}

function invoiceSelected() { return requestForSelection_('Invoice'); }
function shipSelected() { return requestForSelection_('Ship'); }
function cancelSelected() { return requestForSelection_('Cancel'); }

/** Show the Review tab (sheetclerk's list of open flags). */
function openReview() {
  var book = SpreadsheetApp.getActiveSpreadsheet();
  var review = findTab_(book, SHEETCLERK.reviewTab);
  if (!review) {
    SpreadsheetApp.getUi().alert('There is no Review tab yet: sheetclerk adds it after its first pass over this sheet.');
    return false;
  }
  book.setActiveSheet(review);
  return true;
}

/** Put `action` into the Action cell of every line of the selected orders; returns how many cells changed. */
function requestForSelection_(action) {
  var book = SpreadsheetApp.getActiveSpreadsheet();
  var ui = SpreadsheetApp.getUi();
  var sheet = book.getActiveSheet();
  if (foldHeader_(sheet.getName()) !== SHEETCLERK.ordersTab) {
    ui.alert('Select the order lines on the Orders tab first, then choose ' + action + ' again.');
    return 0;
  }
  var lastRow = sheet.getLastRow();
  var lastColumn = sheet.getLastColumn();
  if (lastRow < 2 || lastColumn < 1) {
    ui.alert('The Orders tab has no order lines yet.');
    return 0;
  }
  var headers = sheet.getRange(1, 1, 1, lastColumn).getValues()[0];
  var actionColumn = findColumn_(headers, SHEETCLERK.actionHeader);
  var orderColumn = findColumn_(headers, SHEETCLERK.orderHeader);
  if (actionColumn < 0 || orderColumn < 0) {
    ui.alert('The Orders tab needs an "Order ID" and an "Action" column in row 1 (any position).');
    return 0;
  }
  var ids = sheet.getRange(2, orderColumn + 1, lastRow - 1, 1).getValues();
  var wanted = {};
  var ranges = sheet.getActiveRangeList() ? sheet.getActiveRangeList().getRanges() : [];
  for (var i = 0; i < ranges.length; i++) {
    var first = Math.max(ranges[i].getRow(), 2);
    var last = Math.min(ranges[i].getRow() + ranges[i].getNumRows() - 1, lastRow);
    for (var row = first; row <= last; row++) {
      var id = foldKey_(ids[row - 2][0]);
      if (id) wanted[id] = true;
    }
  }
  if (Object.keys(wanted).length === 0) {
    ui.alert('Select one or more order lines (any cell of the row) first.');
    return 0;
  }
  var actions = sheet.getRange(2, actionColumn + 1, lastRow - 1, 1).getValues();
  var changed = 0;
  for (var r = 0; r < ids.length; r++) {
    if (wanted[foldKey_(ids[r][0])] && String(actions[r][0]) !== action) {
      sheet.getRange(r + 2, actionColumn + 1).setValue(action);
      changed++;
    }
  }
  var orders = Object.keys(wanted).length;
  book.toast(action + ' requested for ' + orders + (orders === 1 ? ' order' : ' orders') +
             '; sheetclerk acts on it at its next pass.', 'sheetclerk');
  return changed;
}

/** Headers match like sheetclerk matches them: case, spaces, underscores, % and parentheses do not count. */
function foldHeader_(text) {
  return String(text === null || text === undefined ? '' : text).replace(/[\s_%()\u00a0]+/g, '').toLowerCase();
}

/** Keys (Order ID) match ignoring case, outer spaces and doubled inner spaces. */
function foldKey_(value) {
  return String(value === null || value === undefined ? '' : value).trim().replace(/\s+/g, ' ').toLowerCase();
}

function findColumn_(headers, wanted) {
  for (var i = 0; i < headers.length; i++) {
    if (foldHeader_(headers[i]) === wanted) return i;
  }
  return -1;
}

function findTab_(book, wanted) {
  var tabs = book.getSheets();
  for (var i = 0; i < tabs.length; i++) {
    if (foldHeader_(tabs[i].getName()) === wanted) return tabs[i];
  }
  return null;
}

if (typeof module !== 'undefined') {
  module.exports = { onOpen: onOpen, invoiceSelected: invoiceSelected, shipSelected: shipSelected,
                     cancelSelected: cancelSelected, openReview: openReview };
}
