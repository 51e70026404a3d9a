# duken — интерфейс мәтіндері қазақ тілінде. Әр id ru.ftl мен en.ftl файлдарында да бар (мұны тест тексереді).

site-name = duken
nav-label = Негізгі бөлімдер
nav-categories = Санаттар
nav-sellers = Сатушылар
nav-help = Көмек
nav-agreement = Пайдаланушы келісімі
nav-how-to-buy = Қалай сатып алу керек
nav-delivery = Жеткізу
nav-credit = Несие және бөліп төлеу
nav-returns = Қайтару және шағымдар
nav-api = API (OpenAPI)
lang-label = Тіл
city-label = Сіздің қалаңыз
city-apply = Бағаларды көрсету
city-unknown = «{ $given }» қаласы бізге белгісіз, сондықтан бағалар { $city } қаласы бойынша көрсетілген. Тізімнен өз қалаңызды таңдаңыз.
trail-label = Сіз осындасыз
footer-label = Ережелер мен көмек
footer-not-offer = Бағалар, сипаттамалар және тауардың бар-жоғы — сатушылардың ақпараты, жария оферта емес; тапсырыс — сатушы қабылдайтын өтінім.
footer-agreement-s4 = Пайдаланушы келісімі, 4-тармақ
footer-safety = duken ешқашан телефон не хабарлама арқылы кодты, құпиясөзді немесе карта нөмірін сұрамайды. Кодты тек duken-нің өз экранына енгізіңіз, ал тауарды беру кодын тауар қолыңызға тигенде ғана айтыңыз.

pager-label = Беттер
pager-prev = Алдыңғы
pager-next = Келесі
pager-first = Бірінші бетке оралу
pager-page = { $page }-бет

home-title = Маркетплейс
home-heading = Көптеген сатушының тауарлары бір жерде
home-lead = { $city } қаласындағы сатушылардың бағаларын салыстырып, өзіңізге қолайлы ұсынысты таңдаңыз.
home-categories = Санаттар
home-new-products = Каталогтағы жаңа тауарлар

categories-title = Барлық санаттар
category-empty = Бұл санатта әзірге тауар жоқ.
page-empty = Бұл бетте ештеңе жоқ. Бірінші бетке оралыңыз.
products-count = { $count ->
    [one] { $count } тауар
   *[other] { $count } тауар
}
sellers-count = { $count ->
    [one] { $count } сатушы
   *[other] { $count } сатушы
}
offers-count = { $count ->
    [one] { $count } ұсыныс
   *[other] { $count } ұсыныс
}
prices-for-city = { $city } қаласындағы бағалар
price-range = { $from } – { $to }
price-none-in-city = { $city } қаласында ұсыныс жоқ
sort-label = Сұрыптау
sort-newest = Алдымен жаңалары
sort-price-asc = Алдымен арзандары
sort-price-desc = Алдымен қымбаттары

product-attributes = Сипаттамалары
product-offers-in-city = { $city } қаласындағы сатушылардың ұсыныстары
product-no-offers = { $city } қаласында бұл тауарды әзірге ешкім сатпайды. Басқа қаланы таңдап көріңіз.
offers-not-an-offer = Бағалар мен тауардың бар-жоғы — сатушылар берген ақпарат, жария оферта емес. Тапсырыс — сатушы қабылдауы не қабылдамауы мүмкін өтінім.
offers-ordering-soon = duken арқылы тапсырыс беру себет пен рәсімдеу іске қосылғанда ашылады; әзірге мұнда сатушылардың ұсыныстарын салыстыра аласыз.
offer-seller = Сатушы
offer-price = Бағасы
offer-availability = Бар-жоғы
offer-updated = Жаңартылды
availability-in-city = { $count ->
    [one] { $city } қаласында бар: { $count } дана
   *[other] { $city } қаласында бар: { $count } дана
}
availability-elsewhere = Басқа қаладан немесе шетелден жеткізіледі
availability-pre-order = { $days ->
    [one] Алдын ала тапсырыс, { $days } күнде жеткізіледі
   *[other] Алдын ала тапсырыс, { $days } күнде жеткізіледі
}
availability-out-of-stock = Қоймада жоқ

sellers-title = Сатушылар
seller-legal-name = Заңды атауы
seller-bin = БСН
seller-country = Елі
seller-since = duken-де тіркелген күні
seller-stores = Беру пункттері мен қоймалар
seller-no-stores = Бұл сатушының әзірге беру пункті жоқ.
seller-products = Осы сатушының тауарлары
seller-abroad = ЕАЭО-дан тыс
seller-abroad-note = Бұл сатушы Еуразиялық экономикалық одақтан тыс жерде орналасқан: оның тауарлары кедендік рәсімдеуден өтеді, оны duken сіздің атыңыздан жүргізеді (9.2-тармақ).

agreement-title = Пайдаланушы келісімі
agreement-version = { $version }-редакция, жарияланған күні
help-title = Көмек

error-go-home = Басты бетке
error-code = Қате коды
error-request-id = Сұраныс нөмірі
error-not-found-title = Бет табылмады
error-bad-request-title = Сұраныс қабылданбады
error-bad-request-detail = Сұраныс дұрыс құрастырылмаған. Мекенжайды тексеріп, қайталап көріңіз.
error-method-title = Әрекетке қолдау көрсетілмейді
error-method-detail = Бұл мекенжай мұндай сұранысты қолдамайды.
error-too-large-title = Деректер тым көп
error-too-large-detail = Сұраныс тым үлкен: ең көбі 1 МБ жіберуге болады.
error-headers-title = Тақырыптар тым үлкен
error-headers-detail = Сұраныс тақырыптары (мысалы, cookie) тым үлкен. Осы сайттың cookie файлдарын тазалап, қайталап көріңіз.
error-timeout-title = Сұраныс тым ұзаққа созылды
error-timeout-detail = Сұранысты уақытында орындау мүмкін болмады. Қайталап көріңіз.
error-internal-title = Бірдеңе дұрыс болмады
error-internal-detail = Біздің тарапымыздағы қатеге байланысты сұранысыңызды орындай алмадық. Бір минуттан соң қайталап көріңіз; қате тағы шықса, қолдау қызметіне сұраныс нөмірін хабарлаңыз.
error-no-such-page = Бұл мекенжай бойынша бет жоқ.
error-no-such-product = { $id } нөмірлі тауар жоқ.
error-no-such-category = { $id } нөмірлі санат жоқ.
error-no-such-seller = { $id } нөмірлі сатушы жоқ.
error-no-such-help = Көмек бөлімінде «{ $slug }» деген бет жоқ.
error-page-number = Бет нөмірі 1 мен { $max } аралығындағы бүтін сан болуы керек.
error-per-page = Бір беттегі жазбалар саны 1 мен { $max } аралығындағы бүтін сан болуы керек.
error-bad-id = «{ $given }» нөмір емес: нөмірлер 1-ден басталатын бүтін сандар.
error-unknown-category = { $id } нөмірлі санат жоқ.
error-unknown-city = «{ $given }» қаласы бізге белгісіз. ӘАОЖ (КАТО) кодын көрсетіңіз, мысалы: 750000000 (Алматы) немесе 710000000 (Астана).

country-kz = Қазақстан
country-ru = Ресей
country-by = Беларусь
country-am = Армения
country-kg = Қырғызстан
country-cn = Қытай
country-uz = Өзбекстан
country-tr = Түркия

attr-color = Түсі
attr-type = Түрі
attr-screen_in = Экран, дюйм
attr-ram_gb = Жедел жады, ГБ
attr-memory_gb = Кірістірілген жады, ГБ
attr-power_w = Қуаты, Вт
attr-cpu = Процессор
attr-ssd_gb = SSD, ГБ
attr-anc = Белсенді шуды басу
attr-bluetooth_version = Bluetooth нұсқасы
attr-wet_cleaning = Ылғалды тазалау
attr-cordless = Сымсыз
attr-bag = Шаң қапшығы
attr-display_type = Дисплей түрі
attr-water_resistance = Судан қорғау
attr-gps = GPS
attr-connectivity = Байланыс
attr-diagonal_in = Диагональ, дюйм
attr-resolution = Ажыратымдылық
attr-refresh_hz = Жаңарту жиілігі, Гц
attr-panel = Матрица
attr-load_kg = Жүктеме, кг
attr-spin_rpm = Сығу, айн/мин
attr-loading = Жүктеу түрі
attr-product_type = Тауар түрі
attr-volume_ml = Көлемі, мл
attr-skin_type = Тері түрі
attr-heat_settings = Қыздыру режимдері
attr-series = Сериясы
attr-pieces = Бөлшектер саны
attr-age_from = Ең төменгі жасы
attr-size = Өлшемі
attr-weight_kg = Салмағы, кг
attr-count = Қаптамадағы саны

nav-signin = Кіру
nav-profile = Жеке кабинет
signin-title = Кіру немесе тіркелу
signin-lead = Қазақстандық ұялы телефон нөміріңізді енгізіңіз. Біз SMS арқылы бір реттік код жібереміз; нөмірдің әлі есептік жазбасы болмаса, ол ашылады.
signin-phone = Ұялы телефон нөмірі
signin-phone-hint = Кез келген жазылу түрі жарайды: +7 701 234 56 78, 8 701 234 5678, 87012345678.
signin-accept = Мен оқыдым және қабылдаймын:
signin-send-code = Код алу
signin-code-title = Кодты енгізіңіз
signin-code-sent = { $phone } нөміріне 6 таңбалы код жібердік. Ол 5 минут жарамды.
signin-demo-outbox = Демо режимі: SMS шын мәнінде жіберілмейді; кодты мына бөлімнен көруге болады:
signin-code-label = SMS-тағы код
signin-verify = Кіру
signin-code-resend = Жаңа код алу
safety-codes = duken ешқашан телефон не хабарлама арқылы кодты, құпиясөзді немесе карта нөмірін сұрамайды. Кодты тек duken-нің осы экранына енгізіңіз және оны ешкімге айтпаңыз.
sms-code = duken: кіру кодыңыз { $code }. Оны ешкімге айтпаңыз — duken оны ешқашан телефон не хабарлама арқылы сұрамайды.
profile-title = Жеке кабинет
profile-agreement = { $version }-редакция, { $date } қабылданды
profile-read-agreement = Келісімді оқу
profile-sessions = Қай құрылғыларда кірілген
profile-this-session = (осы құрылғы)
profile-signout-all = Барлық құрылғыдан шығу
signout = Шығу
demo-sms-title = Демо: жіберілетін SMS
demo-sms-note = Демо режимі: duken шынайы SMS жібермейді. Мұнда жіберілетін еді деген хабарламалар көрсетілген; демо режимінен тыс бұл бет жоқ.
demo-sms-empty = Әзірге хабарлама жоқ.
error-forbidden-title = Әрекетке рұқсат жоқ
error-too-many-title = Сұраныс тым көп
error-csrf = Форманың мерзімі өтіп кеткен немесе ол duken бетінен жіберілмеген. Артқа оралып, бетті жаңартып, қайталап көріңіз.
error-too-many-codes = Код тым көп сұралды. { $seconds } секундтан кейін қайталап көріңіз.
error-phone-shape = Ұялы телефон нөмірі 11 цифрдан тұрады, мысалы +7 701 234 56 78.
error-phone-foreign = Тек Қазақстанның ұялы нөмірлерін (+7 7…) пайдалануға болады.
error-phone-not-mobile = Бұл ұялы нөмір емес, ал код SMS арқылы жіберіледі.
error-accept-required = Жалғастыру үшін пайдаланушы келісімін қабылдаңыз.
error-code-format = Код 6 цифрдан тұрады.
error-code-wrong = { $remaining ->
    [one] Код қате. { $remaining } мүмкіндік қалды.
   *[other] Код қате. { $remaining } мүмкіндік қалды.
}
error-code-locked = Қате әрекет тым көп: бұл код енді жарамсыз. Жаңа код сұраңыз.
error-code-expired = Кодтың мерзімі өтті. Жаңа код сұраңыз.
error-code-none = Бұл нөмір үшін жарамды код жоқ. Жаңа код сұраңыз.
nav-console = Консоль
console-title = Оператор консолі
console-audit = Аудит журналы
console-audit-about = Әр өзгеріс: кім, не істеді, неге қатысты, не себепті және қашан.
console-users = Пайдаланушылар мен рөлдер
console-users-about = Есептік жазбалар және олардың рөлдері; рөлдерді әкімшілер береді және қайтарып алады.
audit-at = Уақыты
audit-actor = Кім
audit-action = Әрекет
audit-subject = Нысан
audit-reason = Себебі
audit-filter = Көрсету
audit-count = { $count ->
    [one] { $count } жазба
   *[other] { $count } жазба
}
users-since = Тіркелген күні
users-roles = Рөлдер
users-grant = Рөл беру
users-revoke = Қайтарып алу
users-role = Рөл
users-seller = Сатушы нөмірі (сатушы рөлдері үшін)
role-buyer = сатып алушы
role-seller-owner = сатушы иесі
role-seller-manager = сатушы менеджері
role-support = қолдау қызметі
role-trust-safety = сенім және қауіпсіздік
role-admin = әкімші
role-bank = банк
role-courier = курьер
error-unauthorized-title = Алдымен кіріңіз
error-unauthorized-detail = Кірілген есептік жазба керек: сессия cookie-ін немесе токенді жіберіңіз.
error-no-role = Сіздің есептік жазбаңызда бұл бетке қажетті рөл жоқ.
error-bad-role = Тізімнен рөл таңдаңыз.
error-role-seller = Сатушы рөлдеріне сатушы нөмірі керек, басқа рөлдерге ол көрсетілмейді.
error-reason-required = Себебін көрсетіңіз: ол аудит журналына жазылады.
error-role-held = Пайдаланушыда бұл рөл бар.
error-role-target = Мұндай пайдаланушы немесе сатушы жоқ.
error-no-such-grant = { $id } нөмірлі белсенді рөл тағайындауы жоқ.
consent-signup-summary = Тіркелу кезінде неге келісім беремін (9.1-тармақ)
consent-signup-text = Тіркеле отырып, мен duken операторына менің дербес деректерімді (телефон нөмірі, аты-жөні, мекенжайлар, тапсырыстар, сатып алуға қажет болса ЖСН) жинауға және өңдеуге, сондай-ақ оларды, оның ішінде трансшекаралық түрде, операторға, сатушыларға, банктерге, чат-бот қызметін жеткізушілерге, курьерлік қызметтерге, электрондық сауда операторларына, мемлекеттік органдарға және байланыс қызметін жеткізушілерге мына мақсаттарда беруге келісім беремін: 1) тауар сатып алу және сатып алу-сату шартын орындау; 2) жеткізу, кедендік тазарту және декларациялау; 3) банкке несиеге өтінім беру; 4) тапсырыстарды, несиені, төлемді және қайтаруды өңдеу; 5) қолдау және чат-бот жұмысы, өтініштерімнің тарихын қоса алғанда. Әр келісімді жеке кабинетте болашаққа қатысты қайтарып ала аламын.
profile-consents = Менің келісімдерім (9.1-тармақ)
profile-consents-note = Келісімді қайтарып алу осы мақсат пен алушыға деректерді болашақта беруді тоқтатады. Заң немесе аяқталмаған міндеттеме (ашық тапсырыс, несие) үшін әлі қажет деректер сақталады және ол орындалғанша сол үшін пайдаланылады.
profile-purpose = Мақсаты
profile-recipient = Алушы
profile-given = Берілген күні
profile-abroad = шетелге де
profile-withdraw = Қайтарып алу
profile-withdrawn = қайтарып алынды: { $date }
profile-disclosures = Деректерім кімге берілді
profile-no-disclosures = Деректеріңіз әзірге ешкімге берілмеген.
profile-fields = Деректер
profile-basis = Құқықтық негіз
profile-refused = бас тартылды: келісім жоқ
profile-export-title = Менің деректерім
profile-export = Барлық деректерімді жүктеп алу (JSON)
purpose-purchase = 1) тауар сатып алу
purpose-delivery-and-customs = 2) жеткізу және кеден
purpose-credit-application = 3) несиеге өтінім
purpose-order-processing = 4) тапсырысты өңдеу
purpose-support-chat = 5) қолдау және чат-бот
recipient-operator = оператор
recipient-seller = сатушы
recipient-bank = банк
recipient-chatbot-provider = чат-бот жеткізушісі
recipient-courier = курьерлік қызмет
recipient-ecommerce-operator = электрондық сауда операторы
recipient-state-body = мемлекеттік орган
recipient-telecom = байланыс қызметін жеткізуші
error-no-such-consent = Сізде { $id } нөмірлі күшіндегі келісім жоқ.
accept-title = Жаңа пайдаланушы келісімін қабылдаңыз
accept-lead = Пайдаланушы келісімінің { $version }-редакциясы күшіне енді. Не өзгергенін оқып, жалғастыру үшін оны қабылдаңыз.
accept-yours = Сіз { $version }-редакцияны қабылдағансыз.
accept-summary = Не өзгерді
accept-button = Келісімді қабылдаймын
profile-newer-agreement = Пайдаланушы келісімінің жаңа редакциясы күшінде; оны келесі тапсырысқа немесе есептік жазбаны өзгертуге дейін қабылдаңыз.
profile-name = Аты
profile-save = Сақтау
error-name = Аты 80 таңбадан аспауы және басқару таңбаларынсыз болуы керек.
console-agreement = Келісім редакциялары
console-agreement-about = Барлық жарияланған редакциялар; жаңасын әкімшілер жариялайды.
agreement-publish = Жаңа редакцияны жариялау
agreement-publish-note = Қарапайым мәтін; бос жол жаңа абзац бастайды. Жарияланғаннан кейін әр пайдаланушыдан келесі тапсырыс немесе есептік жазбаны өзгерту алдында оны қабылдау сұралады.
agreement-summary = Өзгерістер туралы қысқаша
agreement-text = Мәтін
error-agreement-empty = Үш тілдегі барлық сипаттама мен мәтінді толтырыңыз.
error-json = Сұраныс денесі бұл мекенжай күтетін JSON емес: { $detail }
error-accept-version = Күшіндегі пайдаланушы келісімін ({ $version }-редакция) оқып, оның нөмірін accept_agreement_version өрісінде жіберіңіз.
error-purpose = Белгісіз мақсат: purchase, delivery_and_customs, credit_application, order_processing немесе support_chat.
error-recipient = Белгісіз алушы: operator, seller, bank, chatbot_provider, courier, ecommerce_operator, state_body немесе telecom.
error-text-shown = Адам көрген мәтінді жіберіңіз (1-ден 5000 таңбаға дейін).
error-no-such-token = Сізде { $id } нөмірлі жарамды API токені жоқ.
profile-tokens = API токендері
profile-tokens-note = Өз бағдарламаларыңыз үшін: токенді «Authorization: Bearer …» тақырыбында жіберіңіз. Енді қажет емес токенді қайтарып алыңыз.
profile-token-name = Не үшін
profile-token-create = Токен жасау
token-created-title = Жаңа API токеніңіз
token-created = «{ $name }» токені:
token-shown-once = Оны қазір көшіріп алыңыз: ол тек бір рет көрсетіледі және қалпына келтірілмейді. Оны құпиясөз сияқты құпия сақтаңыз.
signin-with-password = Құпиясөзбен кіру
signin-password = Құпиясөз
profile-password = Құпиясөз
profile-password-note = Міндетті емес: құпиясөзбен SMS-ті күтпей кіруге болады. 10-нан 128 таңбаға дейін, тек цифрлардан емес.
profile-password-repeat = Қайталаңыз
error-password-wrong = Нөмір немесе құпиясөз қате.
error-password-throttled = Қате құпиясөз тым көп енгізілді. 15 минуттан кейін қайталаңыз немесе кодпен кіріңіз.
error-password-weak = Құпиясөз 10-нан 128 таңбаға дейін болуы және тек цифрлардан тұрмауы керек.
error-password-repeat = Құпиясөздер сәйкес келмейді.
