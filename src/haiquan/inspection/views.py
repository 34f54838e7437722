"""What the officer's pages show of scanner results: the images of a declaration on its inspection form
(web/templates/_scanner_images.html), and one image served from customs' store after its hash is
checked again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from haiquan.declarations import repository as declarations
from haiquan.inspection import images, scanning
from haiquan.inspection import repository as repo
from haiquan.inspection.scanning import ReferenceKind
from haiquan.inspection.tables import ScanResultRow
from haiquan.kit.auth import Principal, Scope
from haiquan.kit.errors import Conflict, NotFound


def for_declaration(
    session: Session, *, principal: Principal, number: str, office: str
) -> list[dict[str, Any]]:
    """The images of a declaration the caller has read already, newest first."""
    rows = repo.scans_of_declaration(session, number, scope=principal.scope, office=office)
    whole = Scope(units=None)
    locs = repo.locations_by_id(session, {r.location_id for r in rows}, scope=whole)
    devs = repo.scanners_by_id(session, {r.scanner_id for r in rows}, scope=whole)
    return [
        {
            "id": r.id, "verdict": r.verdict, "note": r.note, "effect": r.effect, "sha256": r.sha256,
            "content_type": r.content_type, "size_bytes": r.size_bytes, "reference": r.image_reference,
            "reference_kind": r.reference_kind, "container": r.container, "scanned_at": r.scanned_at,
            "location_code": locs[r.location_id].code if r.location_id in locs else "",
            "scanner_serial": devs[r.scanner_id].serial if r.scanner_id in devs else "",
            "inline": r.reference_kind == ReferenceKind.KEY and r.content_type in scanning.SHOWN_INLINE,
            "src": f"/inspection/scans/{r.id}/image",
        }
        for r in rows
    ]  # fmt: skip


def readable_scan(session: Session, *, principal: Principal, scan_id: str) -> ScanResultRow:
    """A result the caller may see: of its units, or of a declaration it may read."""
    row = repo.unscoped_get_scan(session, scan_id)
    if row is not None and not principal.scope.covers_unit(row.unit) and row.declaration_number:
        try:
            declarations.get(session, row.declaration_number, scope=principal.scope)
        except NotFound:
            row = None
    elif row is not None and not principal.scope.covers_unit(row.unit):
        row = None
    if row is None or principal.scope.enterprise_id not in (None, row.operator_id):
        raise NotFound(f"no scanner result {scan_id} in your scope", field="scan_id")
    return row


def image_bytes(row: ScanResultRow, data_dir: Path) -> bytes:
    """The stored image, checked against the hash recorded with the result."""
    if row.reference_kind != ReferenceKind.KEY:
        raise NotFound("this image is kept outside customs' store: follow its reference", field="scan_id")
    data = images.read(data_dir, row.image_reference)
    if data is None:
        raise NotFound("the image is missing from customs' store", field="scan_id")
    try:
        scanning.check_content(data, sha256=row.sha256, size=row.size_bytes, content_type=row.content_type)
    except scanning.ScanError as exc:
        raise Conflict(f"the stored image no longer matches its record: {exc}", field="scan_id") from exc
    return data
