"""``pybuild verify IMAGE``: boot a built image the way Nova/libvirt would and prove its
OpenStack features, each check pass/fail with evidence."""

from builder.verify.checks import CHECKS, CheckResult, VerifyOptions, VerifyReport, verify_image

__all__ = ["CHECKS", "CheckResult", "VerifyOptions", "VerifyReport", "verify_image"]
