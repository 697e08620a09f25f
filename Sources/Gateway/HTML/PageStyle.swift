/// The one stylesheet of the server-rendered pages: readable on a phone first (a single column,
/// large tap targets), no web fonts, no images but the venue's logo.
enum PageStyle {
    static let guest = HTMLStylesheet("""
        *{box-sizing:border-box}body{margin:0;background:#f4f1ec;color:#2b2b2b;font:16px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
        main{max-width:640px;margin:0 auto;padding:12px}
        .card{background:#fff;border-radius:10px;padding:20px;margin:0 0 16px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
        header.venue{display:flex;align-items:center;gap:12px;margin:8px 0 16px 0}header.venue img{max-height:56px;max-width:160px}
        header.venue .name{font-size:20px;font-weight:600}header.venue .address{font-size:14px;color:#666}
        h1{font-size:24px;margin:0 0 4px 0}h2{font-size:18px;margin:0 0 12px 0}.muted{color:#666;font-size:14px}
        dl.facts{display:grid;grid-template-columns:auto 1fr;gap:4px 16px;margin:12px 0 0 0}dl.facts dt{color:#666}dl.facts dd{margin:0}
        table{width:100%;border-collapse:collapse}th,td{padding:8px 4px;text-align:left;vertical-align:top;border-bottom:1px solid #eee}
        td.num,th.num{text-align:right;white-space:nowrap}td .description{overflow-wrap:anywhere}tfoot td{border:0;padding:4px}tr.total td{font-weight:700;font-size:18px;border-top:2px solid #2b2b2b;padding-top:8px}
        label{display:block;font-weight:600;margin:12px 0 4px 0}input[type=text],textarea{width:100%;font:inherit;padding:10px;border:1px solid #ccc;border-radius:6px}
        textarea{min-height:88px}button,a.button{display:inline-block;font:inherit;font-weight:600;padding:12px 20px;border-radius:8px;border:0;margin-top:14px;cursor:pointer;text-decoration:none}
        button.accept,a.button{background:#2f5d50;color:#fff}button.decline{background:#eee;color:#8a1f1f}
        .notice{border-left:4px solid #2f5d50;background:#eef5f2;padding:12px 16px;border-radius:6px;margin:0 0 16px 0}
        .notice.warn{border-color:#b26b00;background:#fff6e5}.notice.error{border-color:#8a1f1f;background:#fdeeee}
        footer{font-size:12px;color:#888;text-align:center;margin:24px 0}
        """)
}
