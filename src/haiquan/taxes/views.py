"""Mapping the taxes module's domain values and rows to response models."""

from __future__ import annotations

from haiquan.taxes.documents import Receipt, receipt_document
from haiquan.taxes.domain import Account, Bucket, OpenItem, StageRule
from haiquan.taxes.schemas import AccountOut, AgingOut, ChargeOut, DebtOut, PositionOut, ReceiptOut, StageOut
from haiquan.taxes.tables import TaxChargeRow, TaxPositionRow


def aging_out(acc: Account) -> AgingOut:
    b = acc.buckets
    return AgingOut(not_due=b[Bucket.NOT_DUE], d1_30=b[Bucket.D1_30], d31_60=b[Bucket.D31_60],
                    d61_90=b[Bucket.D61_90], over_90=b[Bucket.OVER_90])  # fmt: skip


def stage_out(rule: StageRule) -> StageOut:
    return StageOut(stage=rule.stage.value, title_vi=rule.title_vi, title_en=rule.title_en, source=rule.source,
                    blocks_customs=rule.blocks_customs)  # fmt: skip


def debt_out(i: OpenItem) -> DebtOut:
    return DebtOut(key=i.key, regime=i.regime.value, title=i.title, incurred=i.incurred, due_date=i.due,
                   amount=i.amount, days_overdue=i.days_overdue, bucket=i.bucket.value)  # fmt: skip


def account_out(tax_code: str, acc: Account) -> AccountOut:
    return AccountOut(
        tax_code=tax_code, on=acc.on, outstanding=acc.outstanding, overdue=acc.overdue, late_interest=acc.interest,
        oldest_due=acc.oldest_due, blocking=acc.blocking, blocking_since=acc.blocking_since, aging=aging_out(acc),
        stage=stage_out(acc.stage), debts=[debt_out(i) for i in acc.items],
    )  # fmt: skip


def position_out(r: TaxPositionRow) -> PositionOut:
    return PositionOut(
        tax_code=r.tax_code, outstanding=r.outstanding, overdue=r.overdue, interest=r.interest,
        aging=AgingOut(not_due=r.not_due, d1_30=r.d1_30, d31_60=r.d31_60, d61_90=r.d61_90, over_90=r.over_90),
        oldest_due=r.oldest_due, stage=r.stage, computed_on=r.computed_on,
    )  # fmt: skip


def charge_out(r: TaxChargeRow) -> ChargeOut:
    return ChargeOut(**{k: getattr(r, k) for k in ChargeOut.model_fields})


def receipt_out(r: Receipt) -> ReceiptOut:
    _, digest = receipt_document(r)
    return ReceiptOut(number=r.number, payer_tax_code=r.payer_tax_code, payer_name=r.payer_name, amount=r.amount,
                      reference=r.reference, paid_for=r.what, bank=r.bank, transaction_id=r.transaction_id,
                      paid_at=r.paid_at, sha256=digest)  # fmt: skip
