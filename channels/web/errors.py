"""Error bodies: always JSON {"detail": "<Vietnamese message>"}, and documented as such in the OpenAPI schema."""
from __future__ import annotations

from pydantic import BaseModel, Field

# Our own error messages are Vietnamese; an ASCII-only detail comes from Starlette or FastAPI
# ("Not Found", "There was an error parsing the body") and is replaced by one of these.
STATUS_DETAILS = {
    400: "Không đọc được nội dung gửi lên (cần JSON, mã UTF-8).",
    401: "Cần đăng nhập.",
    403: "Không có quyền truy cập.",
    404: "Không tìm thấy.",
    405: "Phương thức không được hỗ trợ.",
    409: "Yêu cầu xung đột với dữ liệu hiện có.",
    413: "Nội dung gửi lên quá lớn.",
    415: "Định dạng nội dung không được hỗ trợ.",
    422: "Dữ liệu gửi lên không hợp lệ.",
    429: "Quá nhiều yêu cầu. Vui lòng chờ một phút rồi thử lại.",
    503: "Dịch vụ tạm thời chưa sẵn sàng, vui lòng thử lại sau ít giây.",
}
SERVER_ERROR = "Máy chủ gặp lỗi, vui lòng thử lại sau."


class Error(BaseModel):
    detail: str = Field(description="Thông báo lỗi bằng tiếng Việt, hiển thị được cho người dùng")


def documented(*codes: int) -> dict:
    """`responses=` for a route: the error statuses it can answer, each with the Error body. Given as
    JSON content, since an HTML page (a document) still answers its errors in JSON to API clients."""
    content = {"application/json": {"schema": Error.model_json_schema()}}
    return {code: {"description": STATUS_DETAILS[code], "content": content} for code in codes}
