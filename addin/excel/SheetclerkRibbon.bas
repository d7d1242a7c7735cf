Attribute VB_Name = "SheetclerkRibbon"
' The sheetclerk ribbon: each button runs one entry point of the Python module addin.ribbon
' through xlwings' RunPython. The Python side catches every error and shows it in a message
' box, so a button never ends in a traceback dialog.
Option Explicit

Sub CheckWorkbook(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.check_workbook()"
End Sub

Sub InvoiceSelected(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.invoice_selected()"
End Sub

Sub ShipSelected(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.ship_selected()"
End Sub

Sub SyncNow(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.sync_now()"
End Sub

Sub Reconcile(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.reconcile()"
End Sub

Sub OpenReview(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.open_review()"
End Sub

Sub OpenDocuments(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.open_documents()"
End Sub

Sub ImportFunctions(control As IRibbonControl)
    ' xlwings writes the VBA wrappers of the UDF MODULES (addin.functions) into this add-in.
    ImportPythonUDFsToAddin
End Sub
