"""Write a DOCX with the usual two-column head of a Vietnamese plan (issuer | national motto).

Used by scripts/make_fixtures.sh, which also prints it to PDF with LibreOffice.
"""
import sys

import docx

document = docx.Document()
left, right = document.add_table(rows=1, cols=2).rows[0].cells
left.text = "UBND TỈNH ĐỒNG NAI"
left.add_paragraph("SỞ TƯ PHÁP")
left.add_paragraph("Số: 123/KH-STP")
right.text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
right.add_paragraph("Độc lập - Tự do - Hạnh Phúc")
right.add_paragraph("Đồng Nai, ngày 05 tháng 3 năm 2025")
for text in [
    "KẾ HOẠCH",
    "Ứng dụng trí tuệ nhân tạo trong phổ biến, giáo dục pháp luật năm 2025",
    "Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị; Sở Tư pháp ban hành Kế hoạch như sau:",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Mục đích",
    "Đưa trợ lý ảo hỏi đáp pháp luật vào phục vụ người dân trên Cổng thông tin điện tử của Sở trong năm 2025.",
    "II. TỔ CHỨC THỰC HIỆN",
    "Văn phòng Sở chủ trì, báo cáo kết quả trước ngày 15/12/2025.",
    "GIÁM ĐỐC",
    "Nguyễn Văn An",
]:
    document.add_paragraph(text)
document.save(sys.argv[1])
