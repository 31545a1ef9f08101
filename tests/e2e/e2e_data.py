"""What the browser tests share: the two screens, the test server's admin token and contact, hostile metadata."""
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CONTACT = {"contact_phone": "0296 3852 123", "contact_email": "vanphong@stp.example.gov.vn",
           "contact_url": "https://stp.example.gov.vn/lien-he", "contact_hours": "Thứ Hai – Thứ Sáu, 7 giờ – 17 giờ"}
ADMIN_TOKEN = "e2e-admin-token-dai"
# Every field a page shows holds markup and script: none of it may reach a page as elements.
XSS_META = {"title": 'Kế hoạch <img src=x onerror="window.__pwned = 1"><b>xssprobe</b>',
            "issuer": "Sở <script>window.__pwned = 1</script><i>xss</i>",
            "place": '<svg onload="window.__pwned = 1">Đà Lạt', "locality": "<u>Đà Lạt</u>",
            "number": '9/KH-<b onclick="window.__pwned = 1">X</b>', "date": "ngày 2 tháng 3 năm 2025"}
