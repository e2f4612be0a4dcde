"""What crosses between the line and Twilio: request signatures, webhook forms, TwiML responses, outgoing texts."""

TWIML_TYPE = "text/xml; charset=utf-8"

__all__ = ["TWIML_TYPE"]
