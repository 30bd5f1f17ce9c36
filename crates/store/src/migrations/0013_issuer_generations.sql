-- Issue 12: rollover to a new issuing CA. Every certificate records the issuing CA generation
-- that signed it (1 = the CA made at init), so that each generation's CRL lists only its own
-- certificates and OCSP answers only for its own serials. CRLs already carry an issuer
-- ('issuing' for generation 1, 'issuing-g2' and so on); responders get the generation too.
ALTER TABLE certificates ADD COLUMN issuer_generation BIGINT NOT NULL DEFAULT 1;
ALTER TABLE ocsp_responders ADD COLUMN issuer_generation BIGINT NOT NULL DEFAULT 1;
CREATE INDEX ocsp_responders_generation ON ocsp_responders (issuer_generation, id);
-- An expired responder's key is destroyed (in the token) and its sealed copy forgotten.
ALTER TABLE ocsp_responders ADD COLUMN key_retired_at BIGINT;
