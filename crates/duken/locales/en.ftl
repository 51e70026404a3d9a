# duken — English interface texts. Every id here exists in kk.ftl and ru.ftl too (a test checks).

site-name = duken
nav-label = Main sections
nav-categories = Categories
nav-sellers = Sellers
nav-help = Help
nav-agreement = User agreement
nav-how-to-buy = How to buy
nav-delivery = Delivery
nav-credit = Credit and installments
nav-returns = Returns and claims
nav-api = API (OpenAPI)
lang-label = Language
city-label = Your city
city-apply = Show prices
city-unknown = We do not know the city “{ $given }”, so prices are shown for { $city }. Choose your city from the list.
trail-label = You are here
footer-label = Rules and help
footer-not-offer = Prices, characteristics and availability are information from the sellers and are not a public offer; an order is a request the seller accepts.
footer-agreement-s4 = User agreement, §4
footer-safety = duken never asks for a code, password or card number by phone or message. Type a code only into duken’s own screen, and tell the hand-over code only once the goods are in your hands.

pager-label = Pages
pager-prev = Previous
pager-next = Next
pager-first = Back to the first page
pager-page = Page { $page }

home-title = Marketplace
home-heading = Everything from many sellers, in one place
home-lead = Compare sellers’ prices in { $city } and choose the offer that suits you.
home-categories = Categories
home-new-products = New in the catalog

categories-title = All categories
category-empty = There are no products in this category yet.
page-empty = There is nothing on this page. Go back to the first page.
products-count = { $count ->
    [one] { $count } product
   *[other] { $count } products
}
sellers-count = { $count ->
    [one] { $count } seller
   *[other] { $count } sellers
}
offers-count = { $count ->
    [one] { $count } offer
   *[other] { $count } offers
}
prices-for-city = prices for { $city }
price-range = { $from } – { $to }
price-none-in-city = No offers in { $city }
sort-label = Sort
sort-newest = Newest
sort-price-asc = Cheapest first
sort-price-desc = Most expensive first

product-attributes = Characteristics
product-offers-in-city = Sellers’ offers in { $city }
product-no-offers = No seller offers this product in { $city } yet. Try another city.
offers-not-an-offer = Prices and availability are information provided by the sellers, not a public offer. An order is a request that the seller accepts or declines.
offers-ordering-soon = Ordering through duken opens with the cart and checkout; for now, compare the sellers’ offers here.
offer-seller = Seller
offer-price = Price
offer-availability = Availability
offer-updated = Updated
availability-in-city = { $count ->
    [one] In stock in { $city }: { $count } item
   *[other] In stock in { $city }: { $count } items
}
availability-elsewhere = Delivery from another city or from abroad
availability-pre-order = { $days ->
    [one] Pre-order, delivery in { $days } day
   *[other] Pre-order, delivery in { $days } days
}
availability-out-of-stock = Out of stock

sellers-title = Sellers
seller-legal-name = Legal name
seller-bin = BIN
seller-country = Country
seller-since = On duken since
seller-stores = Pickup points and warehouses
seller-no-stores = This seller has no pickup points yet.
seller-products = Products of this seller
seller-abroad = outside the EAEU
seller-abroad-note = This seller is outside the Eurasian Economic Union: its goods go through customs, which duken arranges on your behalf (§9.2).

agreement-title = User agreement
agreement-version = Version { $version }, published
help-title = Help

error-go-home = Go to the home page
error-code = Code
error-request-id = Request number
error-not-found-title = Page not found
error-bad-request-title = Request not accepted
error-bad-request-detail = The request is malformed. Check the address and try again.
error-method-title = Action not supported
error-method-detail = This address does not support this kind of request.
error-too-large-title = Too much data
error-too-large-detail = The request is too large; send at most 1 MB.
error-headers-title = Headers too large
error-headers-detail = The request’s headers (such as cookies) are too large. Clear this site’s cookies and try again.
error-timeout-title = Request took too long
error-timeout-detail = The request was not finished in time. Please try again.
error-internal-title = Something went wrong
error-internal-detail = We could not complete your request because of an error on our side. Please try again in a minute; if it happens again, tell support the request number.
error-no-such-page = There is no page at this address.
error-no-such-product = There is no product number { $id }.
error-no-such-category = There is no category number { $id }.
error-no-such-seller = There is no seller number { $id }.
error-no-such-help = There is no help page “{ $slug }”.
error-page-number = The page number must be a whole number from 1 to { $max }.
error-per-page = The number of items per page must be a whole number from 1 to { $max }.
error-bad-id = “{ $given }” is not an id: ids are whole numbers from 1.
error-unknown-category = There is no category number { $id }.
error-unknown-city = We do not know the city “{ $given }”. Give a KATO code such as 750000000 (Almaty) or 710000000 (Astana).

country-kz = Kazakhstan
country-ru = Russia
country-by = Belarus
country-am = Armenia
country-kg = Kyrgyzstan
country-cn = China
country-uz = Uzbekistan
country-tr = Türkiye

attr-color = Colour
attr-type = Type
attr-screen_in = Screen, inches
attr-ram_gb = RAM, GB
attr-memory_gb = Storage, GB
attr-power_w = Power, W
attr-cpu = Processor
attr-ssd_gb = SSD, GB
attr-anc = Active noise cancelling
attr-bluetooth_version = Bluetooth version
attr-wet_cleaning = Wet cleaning
attr-cordless = Cordless
attr-bag = Dust bag
attr-display_type = Display type
attr-water_resistance = Water resistance
attr-gps = GPS
attr-connectivity = Connectivity
attr-diagonal_in = Diagonal, inches
attr-resolution = Resolution
attr-refresh_hz = Refresh rate, Hz
attr-panel = Panel
attr-load_kg = Load, kg
attr-spin_rpm = Spin speed, rpm
attr-loading = Loading
attr-product_type = Product type
attr-volume_ml = Volume, ml
attr-skin_type = Skin type
attr-heat_settings = Heat settings
attr-series = Series
attr-pieces = Pieces
attr-age_from = Age from
attr-size = Size
attr-weight_kg = Weight, kg
attr-count = Count

nav-signin = Sign in
nav-profile = My account
signin-title = Sign in or sign up
signin-lead = Enter your Kazakhstan mobile number. We will send a one-time code by SMS; if the number has no account yet, one is opened for it.
signin-phone = Mobile number
signin-phone-hint = Any spelling works: +7 701 234 56 78, 8 701 234 5678, 87012345678.
signin-accept = I have read and accept the
signin-send-code = Send the code
signin-code-title = Enter the code
signin-code-sent = We sent a 6-digit code to { $phone }. It is valid for 5 minutes.
signin-demo-outbox = Demo mode: no SMS is really sent; the code is in the
signin-code-label = Code from the SMS
signin-verify = Sign in
signin-code-resend = Send a new code
safety-codes = duken never asks for a code, password or card number by phone or message. Type a code only into this screen of duken — never tell it to anyone.
sms-code = duken: your sign-in code is { $code }. Do not tell it to anyone — duken never asks for it by phone or message.
profile-title = My account
profile-agreement = version { $version }, accepted { $date }
profile-read-agreement = Read the agreement
profile-sessions = Where you are signed in
profile-this-session = (this device)
profile-signout-all = Sign out everywhere
signout = Sign out
demo-sms-title = Demo SMS outbox
demo-sms-note = Demo mode: duken sends no real SMS. The messages it would have sent are listed here; this page does not exist outside demo mode.
demo-sms-empty = No messages yet.
error-forbidden-title = Not allowed
error-too-many-title = Too many requests
error-csrf = This form has expired or did not come from duken’s page. Go back, reload the page and try again.
error-too-many-codes = Too many codes were requested. Try again in { $seconds } s.
error-phone-shape = A mobile number has 11 digits, such as +7 701 234 56 78.
error-phone-foreign = Only Kazakhstan mobile numbers (+7 7…) can be used.
error-phone-not-mobile = This is not a mobile number; the code is sent by SMS.
error-accept-required = To continue, accept the user agreement.
error-code-format = The code is 6 digits.
error-code-wrong = { $remaining ->
    [one] Wrong code. { $remaining } try left.
   *[other] Wrong code. { $remaining } tries left.
}
error-code-locked = Too many wrong tries: this code no longer works. Ask for a new one.
error-code-expired = This code has expired. Ask for a new one.
error-code-none = There is no valid code for this number. Ask for a new one.
nav-console = Console
console-title = Operator console
console-audit = Audit log
console-audit-about = Every state change: who, what, to what, why and when.
console-users = Users and roles
console-users-about = Accounts and the roles they hold; administrators grant and revoke roles.
audit-at = Time
audit-actor = Who
audit-action = Action
audit-subject = Subject
audit-reason = Reason
audit-filter = Filter
audit-count = { $count ->
    [one] { $count } entry
   *[other] { $count } entries
}
users-since = Since
users-roles = Roles
users-grant = Grant a role
users-revoke = Revoke
users-role = Role
users-seller = Seller # (seller roles)
role-buyer = buyer
role-seller-owner = seller owner
role-seller-manager = seller manager
role-support = support
role-trust-safety = trust & safety
role-admin = administrator
role-bank = bank
role-courier = courier
error-unauthorized-title = Sign in first
error-unauthorized-detail = This needs a signed-in account: send its session cookie or token.
error-no-role = Your account does not have the role this page needs.
error-bad-role = Choose a role from the list.
error-role-seller = Seller roles need a seller number; other roles must have none.
error-reason-required = Say why: the reason goes to the audit log.
error-role-held = The user already has this role.
error-role-target = There is no such user or seller.
error-no-such-grant = There is no active role grant number { $id }.
consent-signup-summary = What signing up consents to (§9.1)
consent-signup-text = By signing up I consent to duken’s operator collecting and processing my personal data (phone number, name, addresses, orders, identity number where a purchase needs it) and transferring it, also across borders, to the operator, sellers, banks, chat-bot providers, couriers, e-commerce operators, state bodies and communication providers, for: 1) buying goods and performing the sale contract; 2) delivery, customs clearance and declaration; 3) credit applications to banks; 4) processing orders, credit, payments and returns; 5) support and the chat-bot, including the history of my requests. I can withdraw each consent for the future in my account.
profile-consents = My consents (§9.1)
profile-consents-note = Withdrawing a consent stops future transfers for that purpose and recipient. Data that the law or an unfinished obligation (an open order, a loan) still needs is kept and used for it until that is settled.
profile-purpose = Purpose
profile-recipient = Recipient
profile-given = Given
profile-abroad = incl. abroad
profile-withdraw = Withdraw
profile-withdrawn = withdrawn { $date }
profile-disclosures = Who received my data
profile-no-disclosures = Your data has not been passed to anyone yet.
profile-fields = Data
profile-basis = Legal basis
profile-refused = refused: no consent
profile-export-title = My data
profile-export = Download all my data (JSON)
purpose-purchase = 1) buying goods
purpose-delivery-and-customs = 2) delivery and customs
purpose-credit-application = 3) credit application
purpose-order-processing = 4) processing the order
purpose-support-chat = 5) support and chat-bot
recipient-operator = operator
recipient-seller = seller
recipient-bank = bank
recipient-chatbot-provider = chat-bot provider
recipient-courier = courier service
recipient-ecommerce-operator = e-commerce operator
recipient-state-body = state body
recipient-telecom = communication provider
error-no-such-consent = There is no consent number { $id } of yours that is still in force.
accept-title = Accept the new user agreement
accept-lead = Version { $version } of the user agreement is now in force. Please read what changed and accept it to continue.
accept-yours = You accepted version { $version }.
accept-summary = What changed
accept-button = I accept the agreement
profile-newer-agreement = A new version of the user agreement is in force; accept it before your next order or account change.
profile-name = Name
profile-save = Save
error-name = A name has at most 80 characters and no control characters.
console-agreement = Agreement versions
console-agreement-about = Every published version; administrators publish a new one.
agreement-publish = Publish a new version
agreement-publish-note = Plain text; an empty line starts a new paragraph. From publication on, every signed-in user is asked to accept it before their next order or account change.
agreement-summary = Summary of changes
agreement-text = Text
error-agreement-empty = Every summary and text must be filled in, in all three languages.
error-json = The request body is not the JSON this endpoint takes: { $detail }
error-accept-version = Read the user agreement in force (version { $version }) and send its number in accept_agreement_version.
error-purpose = Unknown purpose: use purchase, delivery_and_customs, credit_application, order_processing or support_chat.
error-recipient = Unknown recipient: use operator, seller, bank, chatbot_provider, courier, ecommerce_operator, state_body or telecom.
error-text-shown = Give the text the person saw (1 to 5000 characters).
error-no-such-token = There is no API token number { $id } of yours that is still valid.
profile-tokens = API tokens
profile-tokens-note = For your own programs: send a token as "Authorization: Bearer …". Revoke one you no longer use.
profile-token-name = What it is for
profile-token-create = Create a token
token-created-title = Your new API token
token-created = The token “{ $name }”:
token-shown-once = Copy it now: it is shown only this once and cannot be recovered. Keep it secret, like a password.
signin-with-password = Sign in with a password instead
signin-password = Password
profile-password = Password
profile-password-note = Optional: with a password you can sign in without waiting for an SMS. 10 to 128 characters, not only digits.
profile-password-repeat = Repeat it
error-password-wrong = Wrong number or password.
error-password-throttled = Too many wrong passwords. Try again in 15 minutes, or sign in with a code.
error-password-weak = A password has 10 to 128 characters and is not only digits.
error-password-repeat = The two passwords differ.
