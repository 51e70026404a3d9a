# duken — тексты интерфейса на русском. Каждый id есть и в kk.ftl, и в en.ftl (это проверяет тест).

site-name = duken
nav-label = Основные разделы
nav-categories = Категории
nav-sellers = Продавцы
nav-help = Помощь
nav-agreement = Пользовательское соглашение
nav-how-to-buy = Как купить
nav-delivery = Доставка
nav-credit = Кредит и рассрочка
nav-returns = Возврат и претензии
nav-api = API (OpenAPI)
lang-label = Язык
city-label = Ваш город
city-apply = Показать цены
city-unknown = Город «{ $given }» нам неизвестен, поэтому цены показаны для города { $city }. Выберите свой город из списка.
trail-label = Вы здесь
footer-label = Правила и помощь
footer-not-offer = Цены, характеристики и наличие — информация продавцов, а не публичная оферта; заказ — это заявка, которую принимает продавец.
footer-agreement-s4 = Пользовательское соглашение, п. 4
footer-safety = duken никогда не запрашивает код, пароль или номер карты по телефону или в сообщениях. Вводите код только на экране самого duken, а код выдачи называйте только тогда, когда товар у вас в руках.

pager-label = Страницы
pager-prev = Предыдущая
pager-next = Следующая
pager-first = На первую страницу
pager-page = Страница { $page }

home-title = Маркетплейс
home-heading = Товары многих продавцов в одном месте
home-lead = Сравните цены продавцов в городе { $city } и выберите подходящее вам предложение.
home-categories = Категории
home-new-products = Новое в каталоге

categories-title = Все категории
category-empty = В этой категории пока нет товаров.
page-empty = На этой странице ничего нет. Вернитесь на первую страницу.
products-count = { $count ->
    [one] { $count } товар
    [few] { $count } товара
   *[many] { $count } товаров
}
sellers-count = { $count ->
    [one] { $count } продавец
    [few] { $count } продавца
   *[many] { $count } продавцов
}
offers-count = { $count ->
    [one] { $count } предложение
    [few] { $count } предложения
   *[many] { $count } предложений
}
prices-for-city = цены для города { $city }
price-range = { $from } – { $to }
price-none-in-city = Нет предложений в городе { $city }
sort-label = Сортировка
sort-newest = Сначала новые
sort-price-asc = Сначала дешёвые
sort-price-desc = Сначала дорогие

product-attributes = Характеристики
product-offers-in-city = Предложения продавцов в городе { $city }
product-no-offers = В городе { $city } этот товар пока никто не продаёт. Попробуйте выбрать другой город.
offers-not-an-offer = Цены и наличие — информация, предоставленная продавцами, а не публичная оферта. Заказ — это заявка, которую продавец принимает или отклоняет.
offers-ordering-soon = Оформление заказа через duken появится вместе с корзиной; пока здесь можно сравнить предложения продавцов.
offer-seller = Продавец
offer-price = Цена
offer-availability = Наличие
offer-updated = Обновлено
availability-in-city = { $count ->
    [one] В наличии в городе { $city }: { $count } шт.
    [few] В наличии в городе { $city }: { $count } шт.
   *[many] В наличии в городе { $city }: { $count } шт.
}
availability-elsewhere = Доставка из другого города или из-за рубежа
availability-pre-order = { $days ->
    [one] Предзаказ, доставка за { $days } день
    [few] Предзаказ, доставка за { $days } дня
   *[many] Предзаказ, доставка за { $days } дней
}
availability-out-of-stock = Нет в наличии

sellers-title = Продавцы
seller-legal-name = Юридическое наименование
seller-bin = БИН
seller-country = Страна
seller-since = На duken с
seller-stores = Пункты выдачи и склады
seller-no-stores = У этого продавца пока нет пунктов выдачи.
seller-products = Товары этого продавца
seller-abroad = вне ЕАЭС
seller-abroad-note = Этот продавец находится за пределами Евразийского экономического союза: его товары проходят таможенное оформление, которое duken выполняет от вашего имени (п. 9.2).

agreement-title = Пользовательское соглашение
agreement-version = Редакция { $version }, опубликована
help-title = Помощь

error-go-home = На главную
error-code = Код
error-request-id = Номер запроса
error-not-found-title = Страница не найдена
error-bad-request-title = Запрос не принят
error-bad-request-detail = Запрос составлен неверно. Проверьте адрес и попробуйте ещё раз.
error-method-title = Действие не поддерживается
error-method-detail = По этому адресу такой запрос не поддерживается.
error-too-large-title = Слишком много данных
error-too-large-detail = Запрос слишком большой: допускается не более 1 МБ.
error-headers-title = Слишком большие заголовки
error-headers-detail = Заголовки запроса (например, cookie) слишком велики. Очистите cookie этого сайта и попробуйте снова.
error-timeout-title = Запрос выполнялся слишком долго
error-timeout-detail = Запрос не удалось выполнить вовремя. Попробуйте ещё раз.
error-internal-title = Что-то пошло не так
error-internal-detail = Мы не смогли выполнить запрос из-за ошибки на нашей стороне. Попробуйте ещё раз через минуту; если ошибка повторится, сообщите номер запроса в службу поддержки.
error-no-such-page = По этому адресу страницы нет.
error-no-such-product = Товара с номером { $id } нет.
error-no-such-category = Категории с номером { $id } нет.
error-no-such-seller = Продавца с номером { $id } нет.
error-no-such-help = В разделе помощи нет страницы «{ $slug }».
error-page-number = Номер страницы должен быть целым числом от 1 до { $max }.
error-per-page = Количество записей на странице должно быть целым числом от 1 до { $max }.
error-bad-id = «{ $given }» не является номером: номер — целое число от 1.
error-unknown-category = Категории с номером { $id } нет.
error-unknown-city = Город «{ $given }» нам неизвестен. Укажите код КАТО, например 750000000 (Алматы) или 710000000 (Астана).

country-kz = Казахстан
country-ru = Россия
country-by = Беларусь
country-am = Армения
country-kg = Кыргызстан
country-cn = Китай
country-uz = Узбекистан
country-tr = Турция


nav-signin = Войти
nav-profile = Мой кабинет
signin-title = Вход и регистрация
signin-lead = Введите номер мобильного телефона Казахстана. Мы отправим одноразовый код в SMS; если у номера ещё нет учётной записи, она будет создана.
signin-phone = Номер мобильного телефона
signin-phone-hint = Подойдёт любая запись: +7 701 234 56 78, 8 701 234 5678, 87012345678.
signin-accept = Я прочитал(а) и принимаю
signin-send-code = Получить код
signin-code-title = Введите код
signin-code-sent = Мы отправили 6-значный код на номер { $phone }. Он действует 5 минут.
signin-demo-outbox = Демо-режим: SMS на самом деле не отправляются; код можно посмотреть в разделе
signin-code-label = Код из SMS
signin-verify = Войти
signin-code-resend = Получить новый код
safety-codes = duken никогда не запрашивает код, пароль или номер карты по телефону или в сообщениях. Вводите код только на этом экране duken и никому его не сообщайте.
sms-code = duken: ваш код для входа { $code }. Никому его не сообщайте — duken никогда не спрашивает его по телефону или в сообщениях.
profile-title = Мой кабинет
profile-agreement = редакция { $version }, принята { $date }
profile-read-agreement = Прочитать соглашение
profile-sessions = Где выполнен вход
profile-this-session = (это устройство)
profile-signout-all = Выйти на всех устройствах
signout = Выйти
demo-sms-title = Демо: исходящие SMS
demo-sms-note = Демо-режим: duken не отправляет настоящие SMS. Здесь показаны сообщения, которые были бы отправлены; вне демо-режима этой страницы нет.
demo-sms-empty = Сообщений пока нет.
error-forbidden-title = Действие запрещено
error-too-many-title = Слишком много запросов
error-csrf = Срок действия формы истёк, или она отправлена не со страницы duken. Вернитесь, обновите страницу и попробуйте снова.
error-too-many-codes = Запрошено слишком много кодов. Попробуйте снова через { $seconds } с.
error-phone-shape = Номер мобильного телефона состоит из 11 цифр, например +7 701 234 56 78.
error-phone-foreign = Можно использовать только мобильные номера Казахстана (+7 7…).
error-phone-not-mobile = Это не мобильный номер, а код отправляется в SMS.
error-accept-required = Чтобы продолжить, примите пользовательское соглашение.
error-code-format = Код состоит из 6 цифр.
error-code-wrong = { $remaining ->
    [one] Неверный код. Осталась { $remaining } попытка.
    [few] Неверный код. Осталось { $remaining } попытки.
   *[many] Неверный код. Осталось { $remaining } попыток.
}
error-code-locked = Слишком много неверных попыток: этот код больше не действует. Запросите новый.
error-code-expired = Срок действия кода истёк. Запросите новый.
error-code-none = Для этого номера нет действующего кода. Запросите новый.
nav-console = Консоль
console-title = Консоль оператора
console-audit = Журнал аудита
console-audit-about = Каждое изменение: кто, что, с чем, почему и когда.
console-users = Пользователи и роли
console-users-about = Учётные записи и их роли; администраторы назначают и отзывают роли.
audit-at = Время
audit-actor = Кто
audit-action = Действие
audit-subject = Объект
audit-reason = Причина
audit-filter = Показать
audit-count = { $count ->
    [one] { $count } запись
    [few] { $count } записи
   *[many] { $count } записей
}
users-since = С
users-roles = Роли
users-grant = Назначить роль
users-revoke = Отозвать
users-role = Роль
users-seller = № продавца (для ролей продавца)
role-buyer = покупатель
role-seller-owner = владелец продавца
role-seller-manager = менеджер продавца
role-support = поддержка
role-trust-safety = безопасность и доверие
role-admin = администратор
role-bank = банк
role-courier = курьер
error-unauthorized-title = Сначала войдите
error-unauthorized-detail = Нужна учётная запись, в которую выполнен вход: передайте cookie сессии или токен.
error-no-role = У вашей учётной записи нет роли, нужной для этой страницы.
error-bad-role = Выберите роль из списка.
error-role-seller = Для ролей продавца нужен номер продавца, для остальных ролей он не указывается.
error-reason-required = Укажите причину: она записывается в журнал аудита.
error-role-held = У пользователя уже есть эта роль.
error-role-target = Такого пользователя или продавца нет.
error-no-such-grant = Действующего назначения роли с номером { $id } нет.
consent-signup-summary = На что я даю согласие при регистрации (п. 9.1)
consent-signup-text = Регистрируясь, я даю согласие оператору duken на сбор и обработку моих персональных данных (номер телефона, имя, адреса, заказы, ИИН, если он нужен для покупки) и их передачу, в том числе трансграничную, оператору, продавцам, банкам, поставщикам услуг чат-бота, курьерским службам, операторам электронной торговли, государственным органам и поставщикам услуг связи в целях: 1) покупки товаров и исполнения договора купли-продажи; 2) доставки, таможенной очистки и декларирования; 3) подачи заявки на кредит в банк; 4) обработки заказов, кредита, оплаты и возвратов; 5) поддержки и работы чат-бота, включая историю моих обращений. Каждое согласие я могу отозвать на будущее в личном кабинете.
profile-consents = Мои согласия (п. 9.1)
profile-consents-note = Отзыв согласия прекращает будущие передачи данных для этой цели и этому получателю. Данные, которые ещё нужны по закону или для незавершённого обязательства (открытого заказа, кредита), сохраняются и используются для него до его исполнения.
profile-purpose = Цель
profile-recipient = Получатель
profile-given = Дано
profile-abroad = в т. ч. за рубеж
profile-withdraw = Отозвать
profile-withdrawn = отозвано { $date }
profile-disclosures = Кому переданы мои данные
profile-no-disclosures = Ваши данные пока никому не передавались.
profile-fields = Данные
profile-basis = Правовое основание
profile-refused = отказано: нет согласия
profile-export-title = Мои данные
profile-export = Скачать все мои данные (JSON)
purpose-purchase = 1) покупка товаров
purpose-delivery-and-customs = 2) доставка и таможня
purpose-credit-application = 3) заявка на кредит
purpose-order-processing = 4) обработка заказа
purpose-support-chat = 5) поддержка и чат-бот
recipient-operator = оператор
recipient-seller = продавец
recipient-bank = банк
recipient-chatbot-provider = поставщик чат-бота
recipient-courier = курьерская служба
recipient-ecommerce-operator = оператор электронной торговли
recipient-state-body = государственный орган
recipient-telecom = поставщик услуг связи
error-no-such-consent = У вас нет действующего согласия с номером { $id }.
accept-title = Примите новое пользовательское соглашение
accept-lead = Вступила в силу редакция { $version } пользовательского соглашения. Прочитайте, что изменилось, и примите её, чтобы продолжить.
accept-yours = Вы принимали редакцию { $version }.
accept-summary = Что изменилось
accept-button = Принимаю соглашение
profile-newer-agreement = Действует новая редакция пользовательского соглашения; примите её до следующего заказа или изменения учётной записи.
profile-name = Имя
profile-save = Сохранить
error-name = Имя — не длиннее 80 символов и без управляющих символов.
console-agreement = Редакции соглашения
console-agreement-about = Все опубликованные редакции; администраторы публикуют новую.
agreement-publish = Опубликовать новую редакцию
agreement-publish-note = Обычный текст; пустая строка начинает новый абзац. После публикации каждого пользователя попросят принять её перед следующим заказом или изменением учётной записи.
agreement-summary = Кратко об изменениях
agreement-text = Текст
error-agreement-empty = Заполните все описания изменений и тексты на трёх языках.
error-json = Тело запроса — не тот JSON, который ожидает этот адрес: { $detail }
error-accept-version = Прочитайте действующее пользовательское соглашение (редакция { $version }) и передайте её номер в accept_agreement_version.
error-purpose = Неизвестная цель: purchase, delivery_and_customs, credit_application, order_processing или support_chat.
error-recipient = Неизвестный получатель: operator, seller, bank, chatbot_provider, courier, ecommerce_operator, state_body или telecom.
error-text-shown = Передайте текст, который видел человек (от 1 до 5000 символов).
error-no-such-token = У вас нет действующего API-токена с номером { $id }.
profile-tokens = API-токены
profile-tokens-note = Для ваших собственных программ: передавайте токен в заголовке «Authorization: Bearer …». Отзовите токен, который больше не нужен.
profile-token-name = Для чего он
profile-token-create = Создать токен
token-created-title = Ваш новый API-токен
token-created = Токен «{ $name }»:
token-shown-once = Скопируйте его сейчас: он показывается только один раз и не восстанавливается. Храните его в тайне, как пароль.
signin-with-password = Войти по паролю
signin-password = Пароль
profile-password = Пароль
profile-password-note = Необязательно: с паролем можно входить, не дожидаясь SMS. От 10 до 128 символов, не только цифры.
profile-password-repeat = Повторите его
error-password-wrong = Неверный номер или пароль.
error-password-throttled = Слишком много неверных паролей. Попробуйте через 15 минут или войдите по коду.
error-password-weak = Пароль — от 10 до 128 символов и не только из цифр.
error-password-repeat = Пароли не совпадают.

## Продавцы: подача заявки, кабинет, прайс-листы (§3, §6)
nav-sell = Продавать на duken
nav-cabinet = Кабинет продавца
apply-title = Стать продавцом
apply-intro = Расскажите о своей компании и её первом магазине или пункте выдачи. Сотрудники оператора проверят данные и одобрят заявку или отклонят её с указанием причины; решение вы увидите здесь.
apply-yours = Ваши заявки
apply-company = Компания
apply-country = Страна регистрации
apply-country-hint = две буквы: KZ, RU, CN…
apply-bin = БИН
apply-bin-hint = 12 цифр; только для компаний, зарегистрированных в Казахстане
apply-legal-name = Юридическое наименование
apply-display-name = Название на duken
apply-contact-phone = Контактный мобильный номер
apply-contact-email = Контактный e-mail
apply-first-store = Первый магазин или пункт выдачи
apply-submit = Отправить заявку
apply-status = Статус
apply-when = Когда
apply-applicant = Заявитель
apply-pending-note = Ваша заявка ожидает решения сотрудников оператора. Их решение вы увидите на этой странице.
application-pending = ожидает решения
application-approved = одобрена
application-rejected = отклонена
application-all = все
form-has-problems = В форме есть ошибки; смотрите пояснения рядом с полями.
field-required = Заполните это поле.
field-too-long = Слишком длинное значение.
field-bad-characters = Здесь есть недопустимые символы.
country-invalid = Укажите страну двумя буквами, например KZ.
bin-required = Для компании, зарегистрированной в Казахстане, укажите БИН.
bin-invalid = Это неверный БИН: проверьте 12 цифр.
bin-only-kz = БИН есть только у компаний, зарегистрированных в Казахстане; оставьте поле пустым.
bin-taken = Продавец с таким БИН уже есть.
phone-invalid = Укажите мобильный номер Казахстана, например +7 701 234 56 78.
email-invalid = Укажите адрес электронной почты, например shop@example.kz.
application-already-pending = У вас уже есть заявка, ожидающая решения.
store-code = Код магазина
store-code-hint = storeId из вашего прайс-листа: латинские буквы, цифры, _ и -
store-code-invalid = Код магазина — от 1 до 32 символов: латинские буквы, цифры, _ или -.
store-code-taken = У вас уже есть магазин с таким кодом.
store-name = Название магазина
store-city = Город
store-city-abroad = за пределами Казахстана (склад за рубежом)
store-city-invalid = Выберите город из списка.
store-address = Адрес
store-hours = Часы работы
store-hours-hint = например, Пн–Сб 10:00–20:00
store-add = Добавить магазин
store-edit = Изменить
invitations-to-you = Приглашения на работу у продавца
invitation-accept = Принять
invitation-revoke = Отозвать
invitation-pending = На этот номер уже отправлено приглашение, оно ждёт ответа.
cabinet-title = Кабинет продавца
cabinet-open = Открыть кабинет продавца
cabinet-merchant-id = ID мерчанта
cabinet-merchant-id-hint = укажите его в <merchantid> вашего прайс-листа или загружайте файл здесь
cabinet-storefront = Страница на duken
cabinet-pricelist = Прайс-лист
cabinet-pricelist-note = Загрузите прайс-лист в формате XML Kaspi. Сначала проверяется каждое предложение: если хотя бы одна строка неверна, ничего не меняется, а в отчёте перечислены все ошибки. Предложения, которых нет в файле, становятся недоступными.
cabinet-pricelist-file = XML-файл
cabinet-pricelist-upload = Загрузить и проверить
cabinet-feed-url = Загружать по URL
cabinet-feed-hours = интервал, ч
cabinet-feed-fetched = последняя загрузка: { $date }
cabinet-stores = Магазины и пункты выдачи
cabinet-staff = Сотрудники
cabinet-invitations = Ожидающие приглашения
cabinet-invite-phone = Мобильный номер менеджера
cabinet-invite = Пригласить менеджера
cabinet-invite-note = Менеджер входит с этим номером и принимает приглашение на странице «Продавать на duken».
seller-eaeu = в ЕАЭС
seller-non-eaeu = вне ЕАЭС: товары проходят таможню
feed-url-invalid = Укажите адрес http:// или https:// длиной не более 2000 символов.
feed-hours-invalid = Укажите число часов от 1 до 168.
upload-title = Загрузка прайс-листа
upload-source = Источник
upload-source-cabinet = кабинет
upload-source-cli = командная строка
upload-source-url = URL
upload-file = Файл
upload-offers = Предложения
upload-problems = Ошибки
upload-created = Новые предложения (карточки ждут модерации)
upload-updated = Обновлённые предложения
upload-unavailable = Стали недоступны (нет в файле)
upload-applied = применена
upload-rejected = отклонена
upload-applied-note = Все предложения из файла применены.
upload-rejected-note = Ничего не применено. Исправьте все строки ниже и загрузите файл снова.
upload-line = строка { $line }
upload-line-header = Строка
upload-reason = Ошибка
upload-value = Значение
upload-no-file = Выберите XML-файл для загрузки.
pricelist-missing-sku = в предложении нет sku
pricelist-bad-sku = sku пустой, слишком длинный или содержит управляющие символы
pricelist-duplicate-sku = этот sku уже встречается выше в файле
pricelist-missing-model = в предложении нет model (названия товара)
pricelist-model-too-long = model длиннее 1024 символов
pricelist-no-price = в предложении нет ни cityprices, ни price
pricelist-bad-price = цена должна быть целым числом тенге
pricelist-non-positive-price = цена должна быть больше нуля
pricelist-price-too-high = цена неправдоподобно высокая
pricelist-bad-available = available должно быть yes или no
pricelist-bad-stock-count = stockCount должен быть целым числом от 0
pricelist-bad-pre-order = preOrder должен быть числом дней от 0 до 60
pricelist-unknown-store = ни у одного вашего магазина нет такого storeId
pricelist-unknown-city = неизвестный cityId
pricelist-no-availability = в предложении нет availability
pricelist-duplicate-store = один и тот же storeId дважды в одном предложении
pricelist-duplicate-city = один и тот же cityId дважды в одном предложении
pricelist-not-xml = файл не является XML
pricelist-truncated = файл обрывается на середине
pricelist-wrong-root = документ не является kaspi_catalog
pricelist-wrong-namespace = пространство имён должно быть xmlns="kaspiShopping"
pricelist-doctype = DOCTYPE не допускается (сущности никогда не раскрываются)
pricelist-unknown-entity = используется неопределённая сущность
pricelist-missing-merchant-id = в файле нет merchantid
pricelist-missing-company = в файле нет company
pricelist-too-many-offers = в файле слишком много предложений
pricelist-too-deep = элементы вложены слишком глубоко
pricelist-text-too-long = слишком длинный текст или тег
pricelist-no-offers = в файле нет предложений
pricelist-io = не удалось прочитать файл
pricelist-bad-encoding = файл не в кодировке UTF-8
results-count = { $count ->
    [one] { $count } результат
    [few] { $count } результата
    [many] { $count } результатов
   *[other] { $count } результата
}
console-sellers = Заявки продавцов
console-sellers-about = Заявки на продажу: проверьте юридические данные, затем одобрите заявку или отклоните её с указанием причины.
console-application = Заявка
decide-approve = Одобрить
decide-reject = Отклонить
decide-reason-hint = обязательна при отклонении; её увидит заявитель
error-no-such-application = Заявки с номером { $id } нет.
error-no-such-invitation = Для вас нет такого ожидающего приглашения.
error-no-such-store = Такого магазина нет.
error-no-such-upload = Такой загрузки нет.
error-owner-only = Это может сделать только владелец продавца.
error-bad-decision = Выберите: одобрить или отклонить.
error-already-decided = По этой заявке уже принято решение.
error-seller-exists = Продавец с таким БИН или магазином уже есть; отклоните заявку, указав эту причину.

## Карточки на модерации (§6)
console-cards = Карточки на модерации
console-cards-about = Предложения продавцов, не совпавшие ни с одной карточкой: опубликуйте каждое как новую карточку в категории, объедините с карточкой того же товара или отклоните с указанием причины.
card-brand-model = Бренд и модель
card-seller = Продавец и SKU
card-category = Категория
card-publish = Опубликовать в этой категории
card-merge-into = Тот же товар, что в карточке №
card-merge = Объединить
error-no-such-card = Такой карточки на модерации нет.
error-moderation-target = Выберите существующую категорию или номер опубликованной карточки.

## Поиск (§3)
search-title = Поиск
search-label = Поиск по магазину
search-placeholder = телефон, phone, telefon…
search-button = Найти
search-not-ready = Поисковый индекс строится; результаты появятся через минуту.
search-relaxed = Ни один товар не подошёл по всем словам; вот товары, подходящие по некоторым.
search-nothing = Ничего не найдено. Проверьте написание или уберите лишние слова.
search-not-in-city = нет в наличии в вашем городе
facets-label = Фильтры
facet-category = Категория
facet-brand = Бренд
facet-seller = Продавец
facet-price = Цена, ₸
facet-price-from = от
facet-price-to = до
facet-available = В наличии в городе { $city }
facet-apply = Применить
sort-relevance = По релевантности
value-yes = да
value-no = нет
price-from = от { $price }

## Содержимое карточек (§6)
cabinet-offers = Предложения и карточки
cabinet-offers-open = ваши предложения и содержимое их карточек
card-status = Карточка
card-status-active = опубликована
card-status-pending = на модерации
card-status-rejected = отклонена
content-edit-title = Содержимое карточки
content-edit-note = То, что вы сохраните здесь, показывается на карточке как предоставленное вашим магазином; каждое изменение хранится как версия с автором и временем.
content-see-card = Открыть карточку
content-title = Название
content-title-kk = Название (казахский)
content-title-ru = Название (русский)
content-title-en = Название (английский)
content-description = Описание
content-description-kk = Описание (казахский)
content-description-ru = Описание (русский)
content-description-en = Описание (английский)
content-brand = Бренд
content-model = Модель
content-video-url = Ссылка на видео
content-photos = Фотографии
content-photo-file = Фото (PNG, JPEG или WebP, до 5 МБ, не меньше 200×200)
content-photo-add = Добавить фото
content-photo-note = Файл проверяется по содержимому, а не по имени.
content-versions = Версии
content-operator = duken
content-source-seller = продавец
content-source-pricelist = прайс-лист
content-source-operator = оператор
content-source-import = импорт
content-source-demo = демо-данные
content-from-seller = Содержимое предоставлено продавцом { $seller }, { $date }.
content-from-operator = Содержимое предоставлено duken, { $date }.
product-video = Видео о товаре
video-url-invalid = Укажите ссылку https:// длиной не более 500 символов.
photo-empty = Выберите файл с изображением.
photo-too-large = Фото больше 5 МБ.
photo-not-image = Файл не является изображением PNG, JPEG или WebP.
photo-bad-size = Фото должно быть не меньше 200×200 и не больше 10000×10000 пикселей.
attribute-unknown = в этой категории нет такой характеристики
attribute-required = заполните эту характеристику
attribute-not-number = укажите число, например 128 или 6,1
attribute-not-boolean = выберите «да» или «нет»
attribute-not-allowed = выберите одно из значений списка
attribute-too-long = длиннее 500 символов

## API продавца (kaspi-merchant-api.md)
cabinet-api = API продавца
cabinet-api-note = Токены для ваших программ (синхронизация заказов, 1С, репрайсеры), работающих с API продавца Kaspi: передавайте токен в заголовке X-Auth-Token на /shop/api/… этого сайта.
cabinet-token-name = Название токена
cabinet-token-issue = Выпустить токен
cabinet-token-issued = Новый токен
cabinet-token-once = Скопируйте его сейчас: он показывается только один раз и хранится только в виде хеша. Любой, у кого он есть, может действовать от имени вашего магазина через API; никогда не отправляйте его в чат.
cabinet-token-use = Передавайте его в заголовке X-Auth-Token; отзовите его в кабинете, когда программе он больше не нужен.
cabinet-token-used = последнее использование { $date }
merchant-category-required = Укажите код категории в параметре c.
merchant-category-unknown = Категории с таким кодом нет.
merchant-attribute-unknown = В этой категории нет характеристики с таким кодом (параметр a).
merchant-import-not-json = Тело запроса не является JSON.
merchant-import-not-array = Тело запроса должно быть JSON-массивом товаров.
merchant-import-count = Загрузка содержит от 1 до { $max } товаров.
merchant-import-unknown = Загрузки с таким кодом нет (параметр i).

## Консоль: категории и характеристики
console-categories = Категории и характеристики
console-categories-about = Дерево категорий и типизированная схема характеристик каждой категории; администраторы добавляют и изменяют их.
category-add = Добавить категорию
category-code = Код
category-parent = Родительская категория
category-in-shop = Открыть в магазине
category-schema = Схема характеристик
category-code-invalid = Код состоит из строчных латинских букв, цифр, - и _ и начинается с буквы.
category-code-taken = Категория с таким кодом уже есть.
category-parent-invalid = Выберите существующую родительскую категорию.
attribute-code = Код
attribute-name = Название
attribute-kind = Тип
attribute-unit = Единица
attribute-required-label = Обязательная
attribute-values = Значения (enum): по одному в строке, код | kk | ru | en
attribute-inherited = из родительской категории
attribute-save = Добавить или изменить характеристику
attribute-save-note = Характеристика с существующим кодом изменяется; перечисленные значения добавляются или переименовываются, а не перечисленные сохраняются для товаров, которые их используют.
attribute-code-invalid = Код характеристики состоит из строчных латинских букв, цифр и _ и начинается с буквы.
attribute-kind-invalid = Выберите enum, number, boolean или text.
attribute-values-required = Характеристике типа enum нужно хотя бы одно значение.
attribute-value-invalid = Неверная строка значения: { $line }
cabinet-feed-fetch-now = Загрузить сейчас
feed-url-missing = Сначала сохраните адрес прайс-листа.
pricelist-fetch-failed = не удалось загрузить прайс-лист по адресу
category-filter = Фильтр по бренду, продавцу, цене и характеристикам

## Заказы (задача 7)
error-no-such-order = Такого заказа нет.
merchant-orders-page-number = page[number] — целое число от 0.
merchant-orders-page-size = page[size] — целое число от 1 (больше 100 считается как 100).
merchant-orders-date = Фильтр по дате — миллисекунды эпохи или дата (время) в ISO-8601.
merchant-orders-window = Окно creationDate — не больше 14 дней.
merchant-orders-boolean = signatureRequired — true или false.
merchant-orders-state = Неизвестное состояние заказа; допустимы NEW, SIGN_REQUIRED, PICKUP, DELIVERY, KASPI_DELIVERY, ARCHIVE.
merchant-orders-status = Неизвестный статус заказа.
merchant-orders-delivery = Неизвестный способ доставки.
merchant-order-body = Отправьте JSON {"{"}"data": {"{"}"type": "orders", "id": "…", "attributes": {"{"}"status": "…"{"}"}{"}"}{"}"}.
merchant-order-code-mismatch = Номер не соответствует заказу с этим id.
merchant-order-status = Неизвестный статус: используйте ACCEPTED_BY_MERCHANT, CANCELLED, COMPLETED или ASSEMBLE.
merchant-order-reason = Для отмены нужна cancellationReason: BUYER_CANCELLATION_BY_MERCHANT, BUYER_NOT_REACHABLE или MERCHANT_OUT_OF_STOCK.
merchant-order-spaces = numberOfSpace — число мест от 1 до 100.
merchant-order-refused = Нельзя: { $why }.
merchant-order-code-needed = Для выдачи нужен код покупателя: сначала запрос с X-Send-Code: true, затем с X-Security-Code.
merchant-order-code-wrong = Неверный код выдачи; осталось попыток: { $left }.
merchant-order-code-locked = Слишком много неверных кодов: код заблокирован. Запросите новый с X-Send-Code: true.
merchant-order-code-expired = Срок кода выдачи истёк. Запросите новый с X-Send-Code: true.
sms-handover-code = duken: код { $code } для получения заказа { $order }. Сообщайте его продавцу или курьеру, только когда товар у вас в руках.
order-quantity = Количество — от 1 до { $max }.
order-no-such-offer = Нет предложения { $id }.
order-idempotency-key = Укажите idempotency_key (1–100 символов), тот же при повторе того же оформления.
order-payment-mode = Способ оплаты — PREPAID или PAY_WITH_CREDIT.
order-credit-not-yet = Оплата в кредит появится вместе с банками-партнёрами; пока оплатите сразу (PREPAID).
order-lines = В оформлении от 1 до 100 строк.
order-price = Укажите цену, которую вы видели, в тиынах.
order-duplicate-line = Каждое предложение — одной строкой.
order-delivery = Для каждого продавца выберите самовывоз (DELIVERY_PICKUP, с магазином) или доставку продавца (DELIVERY_LOCAL, с адресом).
order-address = Для доставки нужен адрес.
order-consent = Чтобы оформить заказ, согласитесь, что продавец увидит ваше имя и номер телефона (§9.1).
order-consent-text = Я согласен(на), что продавцы моих заказов получат моё имя и номер телефона для их исполнения (§9.1).
order-problem-unavailable = Это предложение больше не продаётся в вашем городе.
order-problem-price = Цена изменилась: было { $seen }, стало { $now }.
order-problem-stock = Осталось только { $left }.
order-problem-store = Выберите один из пунктов выдачи продавца.
order-problem-delivery = Выберите, как товары этого продавца попадут к вам.
order-handover-warning = Сообщайте код выдачи продавцу или курьеру, только когда товар у вас в руках.
order-cannot-cancel = Этот заказ вы уже не можете отменить; обратитесь к продавцу.
order-payment-outcome = Результат — paid или declined.
order-callback = Уведомление не похоже на платёжное уведомление, понятное duken.
