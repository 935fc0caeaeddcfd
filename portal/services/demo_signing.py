"""The demo's digitally signed cooperation agreement: the agreement as the portal makes it, signed with a
self-signed demo certificate. A module of its own because pyHanko and its certificate stack weigh 45 MiB:
only `flask demo` loads it (portal/services/seed.py), not the web processes or the worker that share the
portal's modules (bench/notifications.py measures the worker's memory)."""

from __future__ import annotations

import io
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from portal.db import utcnow
from portal.models import Application
from portal.services import agreements, files

with warnings.catch_warnings():
    # pyHanko's signing module imports DSA support that cryptography deprecates; the demo signs with EC.
    warnings.filterwarnings("ignore", message="DSA is deprecated")
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore


def demo_signed_agreement(application: Application, signer_name: str) -> files.CheckedPdf:
    """The application's agreement as the portal makes it, digitally signed by `signer_name` with a
    self-signed demo certificate (made here, valid for a day: it proves nothing, it only shows a signature)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, signer_name)])
    now = utcnow()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore(),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(agreements.render_agreement(application)))
    metadata = signers.PdfSignatureMetadata(field_name="Handtekening")
    # sign_pdf runs its own event loop: in a thread of its own, so that a caller inside a loop (a test's
    # browser driver) does not stop it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(signers.sign_pdf, writer, metadata, signer=signer).result()
    checked = files.check_pdf(signed.getvalue(), 10 * 1024 * 1024)
    assert isinstance(checked, files.CheckedPdf)
    return checked
