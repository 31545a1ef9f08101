"""Web channel: public API, chat page, embeddable widget and staff admin."""
