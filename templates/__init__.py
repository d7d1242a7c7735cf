"""Document layouts (`layout.toml`), the fonts they use (`fonts/`, with licences) and the logo.

Data only: `sync.documents.layout` validates `layout.toml` at load and
`sync.documents.render` draws documents with it. A business changes logo,
colours, fonts, wording and footer here; company and bank details come from
sheetclerk.toml.
"""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent
