"""Demo data for conversations: quick replies, message templates, a few live threads."""

QUICK_REPLIES = [
    ("Thanks", "Thank you! Let me know if there's anything else I can do for you."),
    ("On hold", "I've put it on hold for you until the end of the week."),
    ("Store hours", "We're open Monday to Saturday, 10am to 7pm, and Sunday noon to 6pm."),
    ("Call back", "I'm with a client right now; I'll call you back within the hour."),
    ("Alteration ready", "Good news: your alteration is ready. When would you like to pick it up?"),
]

# (channel, name, event, status, category, subject, body, variable sources)
MESSAGE_TEMPLATES = [
    ("whatsapp", "atelier_opt_in", "opt_in", "approved", "utility", "",
     "Hi {{1}}, this is {{2}} from {{3}}. May we send you updates and offers on WhatsApp? "
     "Reply YES to agree.",
     ["customer_first_name", "associate_first_name", "store_name"]),
    ("whatsapp", "atelier_product_share", "product_sharing", "approved", "marketing", "",
     "Hi {{1}}, I thought you'd love this: {{2}} ({{3}}). Take a look: {{4}}",
     ["customer_first_name", "product_title", "product_price", "product_link"]),
    ("whatsapp", "atelier_cart_share", "cart_sharing", "approved", "utility", "",
     "Hi {{1}}, your selection is ready ({{2}}). Pay securely here: {{3}}",
     ["customer_first_name", "cart_total", "cart_link"]),
    ("whatsapp", "atelier_follow_up", "other", "received", "marketing", "",
     "Hi {{1}}, it's {{2}} from {{3}}. {{4}}",
     ["customer_first_name", "associate_first_name", "store_name", "custom_text"]),
    ("sms", "SMS opt-in", "opt_in", "approved", "utility", "",
     "{{1}} from {{2}} here. Reply YES to receive texts from us. Msg&data rates may apply. "
     "Reply STOP to opt out.",
     ["associate_first_name", "store_name"]),
    ("sms", "SMS product share", "product_sharing", "approved", "marketing", "",
     "Hi {{1}}, have a look at {{2}}: {{3}}",
     ["customer_first_name", "product_title", "product_link"]),
    ("sms", "SMS cart share", "cart_sharing", "approved", "utility", "",
     "Hi {{1}}, your cart ({{2}}) is ready to pay: {{3}}",
     ["customer_first_name", "cart_total", "cart_link"]),
    ("email", "Email opt-in", "opt_in", "approved", "utility", "Stay in touch with {{2}}",
     "Dear {{1}},\n\nWould you like to hear from us about new arrivals and private events? "
     "Just reply to this email to agree.\n\n{{2}}",
     ["customer_first_name", "store_name"]),
    ("email", "Email product share", "product_sharing", "approved", "marketing",
     "A piece chosen for you",
     "Dear {{1}},\n\nI thought of you when this arrived: {{2}}.\n\n{{3}}\n\nWarm regards,\n{{4}}",
     ["customer_first_name", "product_title", "product_link", "associate_first_name"]),
    ("email", "Email cart share", "cart_sharing", "approved", "utility", "Your selection",
     "Dear {{1}},\n\nYour selection totals {{2}}. You can pay securely here: {{3}}\n\n{{4}}",
     ["customer_first_name", "cart_total", "cart_link", "associate_first_name"]),
    ("sms", "SMS collection share", "collection_sharing", "approved", "marketing", "",
     "Hi {{1}}, a selection from {{2}} for you: {{3}}",
     ["customer_first_name", "store_name", "collection_link"]),
    ("sms", "SMS product list share", "product_list_sharing", "approved", "marketing", "",
     "Hi {{1}}, I picked these for you: {{2}}",
     ["customer_first_name", "product_list_link"]),
    ("sms", "SMS payment receipt", "receipt", "approved", "utility", "",
     "Thank you {{1}}! We received your payment of {{2}}. {{3}}",
     ["customer_first_name", "cart_total", "store_name"]),
    ("email", "Email collection share", "collection_sharing", "approved", "marketing",
     "A selection for you",
     "Dear {{1}},\n\nI put together a selection I think you will love: {{2}}\n\n{{3}}",
     ["customer_first_name", "collection_link", "associate_first_name"]),
    ("email", "Email payment receipt", "receipt", "approved", "utility", "Thank you for your purchase",
     "Dear {{1}},\n\nWe received your payment of {{2}}. Thank you!\n\n{{3}}",
     ["customer_first_name", "cart_total", "store_name"]),
]

# Demo threads per store: (consent, [(who, text), ...]). "opt_in" starts with the opt-in
# request; "us" is the associate, "them" the customer (through the inbound path, as a
# real reply would arrive). The last line from "them" leaves the thread unread.
DEMO_THREADS = [
    ("not_asked", [("opt_in", ""), ("them", "START"),
                   ("us", "Thank you! I'll send you a note when the new season arrives.")]),
    ("opted_in", [("us", "The cashmere coat you asked about is back in camel, size S. "
                         "Shall I put one aside?"),
                  ("them", "Yes please! Can I come by on Saturday afternoon?")]),
    ("opted_in", [("them", "Hi, do you still have the silk scarf from the window?")]),
    ("opted_in", [("us", "Your alterations are ready, see you soon!"), ("them", "Perfect, thank you"),
                  ("us", "My pleasure. The fitting room is yours whenever you like.")]),
]
